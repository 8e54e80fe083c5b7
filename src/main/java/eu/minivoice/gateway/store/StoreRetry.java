package eu.minivoice.gateway.store;

import org.slf4j.Logger;

import java.util.function.BooleanSupplier;

/**
 * How the single writers (the event outbox, the call recorder) treat a database hiccup: accepted
 * data must not be lost, so the batch is retried with a doubling delay (up to 5 s) until it lands,
 * or until the writer is stopping.
 */
public final class StoreRetry {
    private StoreRetry() {
    }

    /** @return true when written, false when given up because {@code running} turned false */
    public static boolean untilStored(String what, Runnable write, BooleanSupplier running, Logger log)
            throws InterruptedException {
        long delay = 100;
        while (true) {
            try {
                write.run();
                return true;
            } catch (StoreException e) {
                if (!running.getAsBoolean()) {
                    log.error("shutting down: {} not stored: {}", what, e.getMessage());
                    return false;
                }
                log.warn("storing {} failed, retrying in {} ms: {}", what, delay, e.getMessage());
                Thread.sleep(delay);
                delay = Math.min(delay * 2, 5_000);
            }
        }
    }
}
