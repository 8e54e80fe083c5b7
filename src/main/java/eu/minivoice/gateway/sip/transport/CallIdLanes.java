package eu.minivoice.gateway.sip.transport;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The dispatch queue, ordered by Call-ID: messages (UDP datagrams, or messages cut from TCP/TLS
 * streams) are spread over many lanes by Call-ID, and
 * a lane is worked on by at most one stack worker at a time — so a dialog's messages are processed
 * one after the other in arrival order (an ACK before the re-INVITE sent right behind it) while
 * any free worker takes the next lane that has work (a worker busy or blocked holds up one lane,
 * not a share of all calls).
 *
 * <p>How a worker holds a lane: {@code take} gives it the next message of a ready lane; the lane
 * stays its own until that worker's next {@code take}, which releases it (back to the ready queue
 * when more messages wait). The stack's workers loop on {@code take}, so "next take" means "done
 * with the previous message".
 *
 * <p>A datagram that waited longer than the congestion timeout is dropped unprocessed (the peer
 * retransmits; processing it late only adds load), as the stack's own queue does; and at most
 * {@code capacity} datagrams wait at all (the stock queue had no bound: a flood could fill the
 * heap within that timeout) — beyond it new datagrams are dropped on arrival.
 */
final class CallIdLanes<T> extends AbstractQueue<T> implements BlockingQueue<T> {
    private static final Logger log = LoggerFactory.getLogger(CallIdLanes.class);
    /** Enough that unrelated calls rarely share a lane (they would only wait for each other). */
    static final int LANES = 1024;

    private static final class Lane<T> {
        final ArrayDeque<T> queue = new ArrayDeque<>();
        /** In the ready queue or held by a worker. */
        boolean taken;
    }

    /** What the lanes need to know of a queued message. */
    interface Message<T> {
        /** A hash of its Call-ID (0 when it has none). */
        int callIdHash(T m);

        /** When it arrived (epoch millis). */
        long receivedAt(T m);
    }

    /** The UDP processor's queue: the stack's own datagram records. */
    static CallIdLanes<DatagramQueuedMessageDispatch> forDatagrams(int capacity, long staleMillis, LongSupplier millis) {
        return new CallIdLanes<>(capacity, staleMillis, millis, "UDP datagrams", new Message<>() {
            @Override
            public int callIdHash(DatagramQueuedMessageDispatch d) {
                return CallIdScanner.hash(d.packet.getData(), d.packet.getLength());
            }

            @Override
            public long receivedAt(DatagramQueuedMessageDispatch d) {
                return d.getReceptionTime();
            }
        });
    }

    @SuppressWarnings("unchecked")
    private final Lane<T>[] lanes = new Lane[LANES];
    private final LinkedBlockingQueue<Lane<T>> ready = new LinkedBlockingQueue<>();
    private final ThreadLocal<Lane<T>> held = new ThreadLocal<>();
    private final long staleMillis;
    private final LongSupplier millis;
    private final AtomicLong dropped = new AtomicLong();
    private final int capacity;
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long lastDropLog;
    /** How long the message taken last had waited, and when it was taken (epoch millis). */
    private volatile long lastWait;
    private volatile long lastTakenAt;
    private final String what;
    private final Message<T> message;

    /**
     * @param capacity    datagrams that may wait in all lanes together
     * @param staleMillis 0: never drop
     * @param what        what is queued, for the overload warning
     */
    CallIdLanes(int capacity, long staleMillis, LongSupplier millis, String what, Message<T> message) {
        this.capacity = capacity;
        this.what = what;
        this.message = message;
        for (int i = 0; i < LANES; i++) {
            lanes[i] = new Lane<>();
        }
        this.staleMillis = staleMillis;
        this.millis = millis;
    }

    /** Messages dropped for having waited too long, or for finding every lane full. */
    long dropped() {
        return dropped.get();
    }

    @Override
    public boolean offer(T d) {
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            noteDrop("the queue is full (" + capacity + " " + what + ")");
            return false;
        }
        int h = message.callIdHash(d);
        Lane<T> lane = lanes[Math.floorMod(h ^ (h >>> 16), LANES)];
        synchronized (lane) {
            lane.queue.add(d);
            if (lane.taken) {
                return true; // its worker, or the ready queue, will come to it
            }
            lane.taken = true;
        }
        ready.offer(lane);
        return true;
    }

    @Override
    public T take() throws InterruptedException {
        release();
        while (true) {
            T d = next(ready.take());
            if (d != null) {
                return d;
            }
        }
    }

    @Override
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        release();
        long until = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            Lane<T> lane = ready.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (lane == null) {
                return null;
            }
            T d = next(lane);
            if (d != null) {
                return d;
            }
        }
    }

    /** The lane's next fresh message, the lane now held by this thread; null (lane let go) when only stale ones were left. */
    private T next(Lane<T> lane) {
        while (true) {
            T d;
            synchronized (lane) {
                d = lane.queue.poll();
                if (d == null) {
                    lane.taken = false;
                    return null;
                }
            }
            queued.decrementAndGet();
            long now = millis.getAsLong();
            if (fresh(d, now)) {
                lastWait = now - message.receivedAt(d);
                lastTakenAt = now;
                held.set(lane);
                return d;
            }
        }
    }

    /** This thread is done with the message it took last: its lane goes back to the ready queue if more wait. */
    private void release() {
        Lane<T> lane = held.get();
        if (lane == null) {
            return;
        }
        held.remove();
        synchronized (lane) {
            if (lane.queue.isEmpty()) {
                lane.taken = false;
                return;
            }
        }
        ready.offer(lane);
    }

    /**
     * How far behind the workers are: how long the message taken last had waited in its lane —
     * for the worker that has just taken an INVITE, usually that INVITE's own wait. 0 when nothing
     * was taken in the last second (idle: nobody is behind).
     */
    long delayMillis() {
        return millis.getAsLong() - lastTakenAt > 1_000 ? 0 : lastWait;
    }

    private boolean fresh(T d, long now) {
        if (staleMillis <= 0) {
            return true;
        }
        if (now - message.receivedAt(d) <= staleMillis) {
            return true;
        }
        noteDrop("they waited over " + staleMillis + " ms");
        return false;
    }

    private void noteDrop(String why) {
        long n = dropped.incrementAndGet();
        long now = millis.getAsLong();
        if (now - lastDropLog > 10_000) {
            lastDropLog = now;
            log.warn("SIP overload: {} {} dropped so far ({})", n, what, why);
        }
    }

    @Override
    public T poll() {
        try {
            return poll(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public T peek() {
        throw new UnsupportedOperationException("workers take; nobody peeks");
    }

    @Override
    public void put(T d) {
        offer(d);
    }

    @Override
    public boolean offer(T d, long timeout, TimeUnit unit) {
        return offer(d);
    }

    @Override
    public int remainingCapacity() {
        return Integer.MAX_VALUE;
    }

    @Override
    public int size() {
        int n = 0;
        for (Lane<T> lane : lanes) {
            synchronized (lane) {
                n += lane.queue.size();
            }
        }
        return n;
    }

    /** A snapshot across the lanes (for inspection only). */
    @Override
    public Iterator<T> iterator() {
        List<T> all = new ArrayList<>();
        for (Lane<T> lane : lanes) {
            synchronized (lane) {
                all.addAll(lane.queue);
            }
        }
        return java.util.Collections.unmodifiableList(all).iterator();
    }

    @Override
    public int drainTo(Collection<? super T> c) {
        throw new UnsupportedOperationException("workers take one at a time");
    }

    @Override
    public int drainTo(Collection<? super T> c, int maxElements) {
        throw new UnsupportedOperationException("workers take one at a time");
    }
}
