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
    void oneCallsDatagramsReachOneWorkerInArrivalOrderAndCallsSpreadOverTheWorkers() throws Exception {
        int workers = 4;
        CallIdLanes lanes = new CallIdLanes(workers, 0, System::currentTimeMillis);
        int calls = 200;
        int perCall = 5;
        for (int n = 0; n < perCall; n++) {
            for (int c = 0; c < calls; c++) {
                lanes.offer(datagram("call-" + c + "@10.0.0.9", n)); // reception time = sequence number
            }
        }
        List<List<String>> seen = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(workers);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            List<String> mine = new ArrayList<>();
            seen.add(mine);
            Thread t = new Thread(() -> {
                try {
                    DatagramQueuedMessageDispatch d;
                    while ((d = lanes.poll(200, TimeUnit.MILLISECONDS)) != null) {
                        String text = new String(d.packet.getData(), 0, d.packet.getLength(), StandardCharsets.UTF_8);
                        String callId = text.substring(text.indexOf("Call-ID: ") + 9, text.indexOf("\r\nCSeq"));
                        mine.add(callId + "#" + d.getReceptionTime());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
            threads.add(t);
            t.start();
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        Set<String> callsSeenBy = new HashSet<>();
        int total = 0;
        for (List<String> mine : seen) {
            total += mine.size();
            java.util.Map<String, Long> last = new java.util.HashMap<>();
            for (String e : mine) {
                String callId = e.substring(0, e.indexOf('#'));
                long seq = Long.parseLong(e.substring(e.indexOf('#') + 1));
                Long before = last.put(callId, seq);
                assertTrue(before == null || before < seq, "order kept for " + callId);
                callsSeenBy.add(callId + "@" + System.identityHashCode(mine));
            }
            assertTrue(mine.size() > calls * perCall / workers / 3, "calls spread over the workers: " + mine.size());
        }
        assertEquals(calls * perCall, total);
        // Each call was taken by exactly one worker.
        assertEquals(calls, callsSeenBy.size());
    }

    @Test
    void aDatagramThatWaitedTooLongIsDropped() throws Exception {
        AtomicLong now = new AtomicLong(10_000);
        CallIdLanes lanes = new CallIdLanes(1, 8000, now::get);
        lanes.offer(datagram("a@h", 1_000)); // waited 9 s
        lanes.offer(datagram("a@h", 9_000)); // waited 1 s
        assertEquals(9_000, lanes.poll(1, TimeUnit.SECONDS).getReceptionTime());
        assertEquals(1, lanes.dropped());
        assertNull(lanes.poll(10, TimeUnit.MILLISECONDS));
    }
}
