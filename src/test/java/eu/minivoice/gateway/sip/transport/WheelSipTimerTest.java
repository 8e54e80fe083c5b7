package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.stack.SIPStackTimerTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WheelSipTimerTest {
    private final WheelSipTimer timer = new WheelSipTimer();

    private static final class Task extends SIPStackTimerTask {
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger cleanUps = new AtomicInteger();
        final CountDownLatch ran;

        Task(int expectedRuns) {
            ran = new CountDownLatch(expectedRuns);
        }

        @Override
        public void runTask() {
            runs.incrementAndGet();
            ran.countDown();
        }

        @Override
        public void cleanUpBeforeCancel() {
            cleanUps.incrementAndGet();
        }

        @Override
        public Object getThreadHash() {
            return null;
        }
    }

    @AfterEach
    void stop() {
        timer.stop();
    }

    @Test
    void aTaskRunsOnceAfterItsDelayUnlessCancelled() throws Exception {
        timer.start(null, new Properties());
        Task fires = new Task(1);
        Task cancelled = new Task(1);
        timer.schedule(fires, 20);
        timer.schedule(cancelled, 200);
        assertTrue(timer.cancel(cancelled));
        assertEquals(1, cancelled.cleanUps.get());
        assertTrue(fires.ran.await(2, TimeUnit.SECONDS));
        assertFalse(cancelled.ran.await(400, TimeUnit.MILLISECONDS));
        assertEquals(1, fires.runs.get());
    }

    @Test
    void aFixedDelayTaskRepeatsUntilCancelled() throws Exception {
        timer.start(null, new Properties());
        Task repeating = new Task(3);
        timer.scheduleWithFixedDelay(repeating, 10, 20);
        assertTrue(repeating.ran.await(2, TimeUnit.SECONDS));
        timer.cancel(repeating);
        int runs = repeating.runs.get();
        Thread.sleep(200);
        assertTrue(repeating.runs.get() <= runs + 1, "at most one run was already under way");
    }

    @Test
    void nothingIsScheduledOnceStopped() {
        timer.start(null, new Properties());
        assertTrue(timer.isStarted());
        timer.stop();
        assertFalse(timer.isStarted());
        assertThrows(IllegalStateException.class, () -> timer.schedule(new Task(1), 10));
    }
}
