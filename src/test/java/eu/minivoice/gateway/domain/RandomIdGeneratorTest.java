package eu.minivoice.gateway.domain;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomIdGeneratorTest {
    /** A source whose bytes count up, so each token shows which bytes of the stream it used. */
    private static final class CountingRandom extends SecureRandom {
        final AtomicInteger draws = new AtomicInteger();
        private int next;

        @Override
        public synchronized void nextBytes(byte[] bytes) {
            draws.incrementAndGet();
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) next++;
            }
        }
    }

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    /** What a token made of the stream's bytes {@code from}.. must read. */
    private static String expected(int from, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(ALPHABET.charAt((byte) (from + i) & 31));
        }
        return b.toString();
    }

    @Test
    void tokensTakeFreshBytesInTurnAndTheSourceIsAskedOncePerBatch() {
        CountingRandom random = new CountingRandom();
        RandomIdGenerator ids = new RandomIdGenerator(random);
        int used = 0;
        for (int i = 0; i < 18; i++) { // 18 × 14 = 252 bytes: one batch
            assertEquals(expected(used, 14), ids.randomToken(14));
            used += 14;
        }
        assertEquals(1, random.draws.get());
        // 4 bytes are left, too few for another token: they are skipped, never reused.
        assertEquals(expected(RandomIdGenerator.BATCH, 14), ids.randomToken(14));
        assertEquals(2, random.draws.get());
    }

    /** Ids made on several threads at once never repeat: no bytes are shared between threads. */
    @Test
    void idsMadeOnManyThreadsAreAllDistinct() throws Exception {
        RandomIdGenerator ids = new RandomIdGenerator(new SecureRandom());
        Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 5_000; i++) {
                    seen.add(ids.newId("x"));
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(20_000, seen.size());
    }

    @Test
    void orderedIdsSortByTimeAndEndInRandomCharacters() {
        long[] now = {1_700_000_000_000L};
        RandomIdGenerator ids = new RandomIdGenerator(new SecureRandom(), () -> now[0]);
        String a = ids.newOrderedId("evt");
        now[0] += 1;
        String b = ids.newOrderedId("evt");
        assertTrue(a.compareTo(b) < 0, a + " < " + b);
        assertEquals("evt_".length() + 24, a.length());
        assertTrue(a.substring(14).chars().allMatch(c -> ALPHABET.indexOf(c) >= 0), a);
    }

    @Test
    void tokensLongerThanABatchAreDrawnWhole() {
        CountingRandom random = new CountingRandom();
        String t = new RandomIdGenerator(random).randomToken(300);
        assertEquals(300, t.length());
        assertEquals(1, random.draws.get());
    }
}
