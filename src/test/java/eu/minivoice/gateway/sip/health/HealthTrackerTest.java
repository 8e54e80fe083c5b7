package eu.minivoice.gateway.sip.health;

import eu.minivoice.gateway.domain.TrunkHealth;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class HealthTrackerTest {
    @Test
    void upOnFirstAnswerDownOnlyAfterConsecutiveMissesBackUpAfterConsecutiveAnswers() {
        HealthTracker h = new HealthTracker(3, 2);
        assertEquals(TrunkHealth.UNKNOWN, h.state());
        assertEquals(TrunkHealth.UP, h.answered());
        assertNull(h.missed());
        assertNull(h.missed());
        assertNull(h.answered(), "an answer resets the miss count");
        assertNull(h.missed());
        assertNull(h.missed());
        assertEquals(TrunkHealth.DOWN, h.missed());
        assertNull(h.missed());
        assertNull(h.answered(), "one answer is not enough to come back");
        assertNull(h.missed());
        assertNull(h.answered());
        assertEquals(TrunkHealth.UP, h.answered());
    }

    @Test
    void unknownGoesDownAfterMissesToo() {
        HealthTracker h = new HealthTracker(2, 2);
        assertNull(h.missed());
        assertEquals(TrunkHealth.DOWN, h.missed());
    }
}
