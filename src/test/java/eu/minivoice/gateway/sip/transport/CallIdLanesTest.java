package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallIdLanesTest {
    private static byte[] message(String firstLine, String callIdHeader) {
        return (firstLine + "\r\nVia: SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK-1\r\n" + callIdHeader
                + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static DatagramQueuedMessageDispatch datagram(String callId, long at) {
        byte[] m = message("INVITE sip:x@y SIP/2.0", "Call-ID: " + callId);
        return new DatagramQueuedMessageDispatch(new DatagramPacket(m, m.length), at);
    }

    @Test
    void theCallIdIsFoundInItsLongAndCompactFormsWhateverTheCase() {
        int h = CallIdScanner.hash(message("ACK sip:x@y SIP/2.0", "Call-ID: abc@host"), 200);
        assertNotEquals(0, h);
        assertEquals(h, CallIdScanner.hash(message("BYE sip:x@y SIP/2.0", "call-id:abc@host  "), 200));
        assertEquals(h, CallIdScanner.hash(message("SIP/2.0 200 OK", "i: abc@host"), 200));
        assertNotEquals(h, CallIdScanner.hash(message("ACK sip:x@y SIP/2.0", "Call-ID: abd@host"), 200));
        assertEquals(0, CallIdScanner.hash(message("ACK sip:x@y SIP/2.0", "X-Call-ID: abc@host"), 200));
        byte[] garbage = "\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(0, CallIdScanner.hash(garbage, garbage.length));
    }

    @Test
    void aCallIsNeverWorkedOnByTwoWorkersAtOnceAndItsDatagramsKeepTheirOrder() throws Exception {
        CallIdLanes<DatagramQueuedMessageDispatch> lanes = CallIdLanes.forDatagrams(100_000, 0, System::currentTimeMillis);
        int calls = 200;
        int perCall = 5;
        for (int n = 0; n < perCall; n++) {
            for (int c = 0; c < calls; c++) {
                lanes.offer(datagram("call-" + c + "@10.0.0.9", n)); // reception time = sequence number
            }
        }
        java.util.Map<String, java.util.concurrent.atomic.AtomicBoolean> busy = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<String, List<Long>> order = new java.util.concurrent.ConcurrentHashMap<>();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        int workers = 4;
        CountDownLatch done = new CountDownLatch(workers);
        java.util.concurrent.atomic.AtomicInteger[] perWorker = new java.util.concurrent.atomic.AtomicInteger[workers];
        for (int w = 0; w < workers; w++) {
            java.util.concurrent.atomic.AtomicInteger mine = perWorker[w] = new java.util.concurrent.atomic.AtomicInteger();
            new Thread(() -> {
                try {
                    DatagramQueuedMessageDispatch d;
                    while ((d = lanes.poll(200, TimeUnit.MILLISECONDS)) != null) {
                        String text = new String(d.packet.getData(), 0, d.packet.getLength(), StandardCharsets.UTF_8);
                        String callId = text.substring(text.indexOf("Call-ID: ") + 9, text.indexOf("\r\nCSeq"));
                        if (!busy.computeIfAbsent(callId, k -> new java.util.concurrent.atomic.AtomicBoolean()).compareAndSet(false, true)) {
                            problems.add(callId + " worked on by two workers at once");
                        }
                        order.computeIfAbsent(callId, k -> Collections.synchronizedList(new ArrayList<>())).add(d.getReceptionTime());
                        mine.incrementAndGet();
                        Thread.yield();
                        busy.get(callId).set(false); // done with it: the next poll lets the lane go
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }).start();
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(), problems);
        assertEquals(calls, order.size());
        for (List<Long> seqs : order.values()) {
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seqs);
        }
        int total = 0;
        for (java.util.concurrent.atomic.AtomicInteger n : perWorker) {
            total += n.get();
        }
        assertEquals(calls * perCall, total);
    }

    @Test
    void aWorkerHoldingACallHoldsUpThatCallOnly() throws Exception {
        CallIdLanes<DatagramQueuedMessageDispatch> lanes = CallIdLanes.forDatagrams(100_000, 0, System::currentTimeMillis);
        String x = "x@h";
        String y = "y@h";
        lanes.offer(datagram(x, 1));
        lanes.offer(datagram(x, 2));
        lanes.offer(datagram(y, 1));
        java.util.concurrent.BlockingQueue<String> aSaw = new java.util.concurrent.LinkedBlockingQueue<>();
        CountDownLatch aMayGoOn = new CountDownLatch(1);
        Thread a = new Thread(() -> {
            try {
                DatagramQueuedMessageDispatch d = lanes.take();
                aSaw.add(callIdOf(d) + "#" + d.getReceptionTime());
                aMayGoOn.await(); // "processing" x#1
                d = lanes.poll(1, TimeUnit.SECONDS);
                aSaw.add(d == null ? "none" : callIdOf(d) + "#" + d.getReceptionTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        a.start();
        assertEquals("x@h#1", aSaw.poll(5, TimeUnit.SECONDS));
        DatagramQueuedMessageDispatch other = lanes.poll(1, TimeUnit.SECONDS);
        assertEquals("y@h", callIdOf(other), "another call goes on while x is being worked on");
        assertNull(lanes.poll(100, TimeUnit.MILLISECONDS), "x#2 waits until x#1 is done");
        aMayGoOn.countDown();
        assertEquals("x@h#2", aSaw.poll(5, TimeUnit.SECONDS));
        a.join(5000);
    }

    private static String callIdOf(DatagramQueuedMessageDispatch d) {
        String text = new String(d.packet.getData(), 0, d.packet.getLength(), StandardCharsets.UTF_8);
        return text.substring(text.indexOf("Call-ID: ") + 9, text.indexOf("\r\nCSeq"));
    }

    @Test
    void aDatagramThatWaitedTooLongIsDropped() throws Exception {
        AtomicLong now = new AtomicLong(10_000);
        CallIdLanes<DatagramQueuedMessageDispatch> lanes = CallIdLanes.forDatagrams(100, 8000, now::get);
        lanes.offer(datagram("a@h", 1_000)); // waited 9 s
        lanes.offer(datagram("a@h", 9_000)); // waited 1 s
        assertEquals(9_000, lanes.poll(1, TimeUnit.SECONDS).getReceptionTime());
        assertEquals(1, lanes.dropped());
        assertNull(lanes.poll(10, TimeUnit.MILLISECONDS));
    }

    @Test
    void beyondItsCapacityNewDatagramsAreDroppedOnArrival() throws Exception {
        CallIdLanes<DatagramQueuedMessageDispatch> lanes = CallIdLanes.forDatagrams(2, 0, System::currentTimeMillis);
        assertTrue(lanes.offer(datagram("a@h", 1)));
        assertTrue(lanes.offer(datagram("b@h", 1)));
        assertFalse(lanes.offer(datagram("c@h", 1)), "full: dropped, nothing waits for it");
        assertEquals(1, lanes.dropped());
        assertTrue(lanes.poll(1, TimeUnit.SECONDS) != null);
        assertTrue(lanes.offer(datagram("c@h", 2)), "room again once one is taken");
    }

    /** The overload signal: how long the message taken last had waited; nothing taken for a second → 0. */
    @Test
    void theDelayIsTheWaitOfTheMessageTakenLastAndFadesWhenIdle() throws Exception {
        AtomicLong now = new AtomicLong(10_000);
        CallIdLanes<DatagramQueuedMessageDispatch> lanes = CallIdLanes.forDatagrams(100, 0, now::get);
        assertEquals(0, lanes.delayMillis());
        lanes.offer(datagram("a@h", 10_000));
        lanes.offer(datagram("b@h", 10_100));
        now.set(10_450);
        lanes.take(); // a: waited 450 ms
        assertEquals(450, lanes.delayMillis());
        now.set(10_460);
        lanes.take(); // b: waited 360 ms
        assertEquals(360, lanes.delayMillis());
        lanes.offer(datagram("c@h", 10_500));
        now.set(10_501);
        lanes.take(); // caught up: c waited 1 ms
        assertEquals(1, lanes.delayMillis());
        lanes.offer(datagram("d@h", 10_600));
        now.set(11_100);
        lanes.take();
        assertEquals(500, lanes.delayMillis());
        now.set(12_101); // nothing taken for over a second: idle, nobody is behind
        assertEquals(0, lanes.delayMillis());
    }
}
