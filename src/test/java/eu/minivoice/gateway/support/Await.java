package eu.minivoice.gateway.support;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Polls until a value satisfies a condition (bounded), failing with the last value seen. */
public final class Await {
    private Await() {
    }

    /** @param probe returns the current value, or null when there is none yet */
    public static <T> T until(String what, Supplier<T> probe, Predicate<T> ok, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            T v = probe.get();
            if (v != null) {
                last = v;
                if (ok.test(v)) {
                    return v;
                }
            }
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail(what + " not reached within " + within + "; last: " + last);
        return null;
    }
}
