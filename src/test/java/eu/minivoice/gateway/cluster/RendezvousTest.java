package eu.minivoice.gateway.cluster;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RendezvousTest {
    @Test
    void everyNodeComputesTheSameOwnerWhateverTheOrderOfTheList() {
        for (int i = 0; i < 1000; i++) {
            String key = "trk_" + i;
            assertEquals(Rendezvous.owner(key, List.of("a", "b", "c")), Rendezvous.owner(key, List.of("c", "a", "b")));
        }
        assertNull(Rendezvous.owner("trk_1", List.of()));
    }

    @Test
    void trunksSpreadEvenlyAndAJoiningNodeTakesOnlyItsShare() {
        Map<String, Integer> perNode = new HashMap<>();
        int moved = 0;
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            String key = "trk_" + Integer.toHexString(i * 7919);
            String two = Rendezvous.owner(key, List.of("node-a:5060", "node-b:5060"));
            String three = Rendezvous.owner(key, List.of("node-a:5060", "node-b:5060", "node-c:5060"));
            perNode.merge(two, 1, Integer::sum);
            if (!two.equals(three)) {
                moved++;
                assertEquals("node-c:5060", three, "a trunk only ever moves to the node that joined");
            }
        }
        assertTrue(Math.abs(perNode.get("node-a:5060") - n / 2) < n / 20, "even split: " + perNode);
        assertTrue(Math.abs(moved - n / 3) < n / 20, "about a third moves to the third node: " + moved);
    }
}
