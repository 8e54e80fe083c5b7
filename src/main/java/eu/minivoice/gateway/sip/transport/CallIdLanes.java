package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The UDP dispatch queue as one lane per stack worker: all datagrams of one Call-ID go to the same
 * lane, so one worker processes a dialog's messages in the order they arrived (an ACK before the
 * re-INVITE sent right behind it), while different calls run in parallel on the other workers.
 * A worker claims its lane at its first {@code take}; there are exactly as many lanes as workers.
 * A datagram that waited longer than the congestion timeout is dropped unprocessed (the peer
 * retransmits; processing it late only adds load), as the stack's own queue does.
 */
final class CallIdLanes extends AbstractQueue<DatagramQueuedMessageDispatch>
        implements BlockingQueue<DatagramQueuedMessageDispatch> {
    private static final Logger log = LoggerFactory.getLogger(CallIdLanes.class);

    private final List<LinkedBlockingQueue<DatagramQueuedMessageDispatch>> lanes = new ArrayList<>();
    private final AtomicInteger claimed = new AtomicInteger();
    private final ThreadLocal<LinkedBlockingQueue<DatagramQueuedMessageDispatch>> mine = new ThreadLocal<>();
    private final long staleMillis;
    private final LongSupplier millis;
    private final AtomicLong dropped = new AtomicLong();
    private volatile long lastDropLog;

    /** @param staleMillis 0: never drop */
    CallIdLanes(int workers, long staleMillis, LongSupplier millis) {
        for (int i = 0; i < workers; i++) {
            lanes.add(new LinkedBlockingQueue<>());
        }
        this.staleMillis = staleMillis;
        this.millis = millis;
    }

    /** Datagrams dropped for having waited too long. */
    long dropped() {
        return dropped.get();
    }

    private LinkedBlockingQueue<DatagramQueuedMessageDispatch> laneOf(DatagramQueuedMessageDispatch d) {
        int h = CallIdScanner.hash(d.packet.getData(), d.packet.getLength());
        return lanes.get(Math.floorMod(h ^ (h >>> 16), lanes.size()));
    }

    private LinkedBlockingQueue<DatagramQueuedMessageDispatch> myLane() {
        LinkedBlockingQueue<DatagramQueuedMessageDispatch> q = mine.get();
        if (q == null) {
            int n = claimed.getAndIncrement();
            if (n >= lanes.size()) {
                throw new IllegalStateException("more UDP workers than lanes (" + lanes.size() + ")");
            }
            q = lanes.get(n);
            mine.set(q);
        }
        return q;
    }

    @Override
    public boolean offer(DatagramQueuedMessageDispatch d) {
        return laneOf(d).offer(d);
    }

    @Override
    public DatagramQueuedMessageDispatch take() throws InterruptedException {
        LinkedBlockingQueue<DatagramQueuedMessageDispatch> q = myLane();
        while (true) {
            DatagramQueuedMessageDispatch d = q.take();
            if (fresh(d)) {
                return d;
            }
        }
    }

    @Override
    public DatagramQueuedMessageDispatch poll(long timeout, TimeUnit unit) throws InterruptedException {
        LinkedBlockingQueue<DatagramQueuedMessageDispatch> q = myLane();
        long until = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            DatagramQueuedMessageDispatch d = q.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (d == null || fresh(d)) {
                return d;
            }
        }
    }

    private boolean fresh(DatagramQueuedMessageDispatch d) {
        if (staleMillis <= 0) {
            return true;
        }
        long now = millis.getAsLong();
        if (now - d.getReceptionTime() <= staleMillis) {
            return true;
        }
        long n = dropped.incrementAndGet();
        if (now - lastDropLog > 10_000) {
            lastDropLog = now;
            log.warn("UDP overload: {} datagrams dropped so far after waiting over {} ms", n, staleMillis);
        }
        return false;
    }

    @Override
    public DatagramQueuedMessageDispatch poll() {
        return myLane().poll();
    }

    @Override
    public DatagramQueuedMessageDispatch peek() {
        return myLane().peek();
    }

    @Override
    public void put(DatagramQueuedMessageDispatch d) {
        offer(d);
    }

    @Override
    public boolean offer(DatagramQueuedMessageDispatch d, long timeout, TimeUnit unit) {
        return offer(d);
    }

    @Override
    public int remainingCapacity() {
        return Integer.MAX_VALUE;
    }

    @Override
    public int size() {
        return lanes.stream().mapToInt(LinkedBlockingQueue::size).sum();
    }

    /** A snapshot across the lanes (for inspection only). */
    @Override
    public Iterator<DatagramQueuedMessageDispatch> iterator() {
        List<DatagramQueuedMessageDispatch> all = new ArrayList<>();
        lanes.forEach(all::addAll);
        return java.util.Collections.unmodifiableList(all).iterator();
    }

    @Override
    public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c) {
        throw new UnsupportedOperationException("each worker takes from its own lane");
    }

    @Override
    public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c, int maxElements) {
        throw new UnsupportedOperationException("each worker takes from its own lane");
    }
}
