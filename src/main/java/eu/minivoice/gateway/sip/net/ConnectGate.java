package eu.minivoice.gateway.sip.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keeps shared threads off peers that customers chose (docs/security.md, rule 4). JAIN-SIP
 * resolves a host name on whichever thread sends — the registration thread, a SIP stack thread, a
 * webhook completion thread. A send that may wait on a name runs here instead, on threads of the
 * gate's own:
 * <ul>
 *   <li>a send to an address literal runs at once on the caller's thread: no transport waits
 *       (TCP/TLS connects are asynchronous, sip/transport);</li>
 *   <li>a send to a host name (resolved by the stack, blocking) runs on the gate's
 *       threads, at most {@code perOwner} at a time per customer, so one customer's unreachable
 *       carriers cannot take the threads everybody else's connections need;</li>
 *   <li>a destination whose connect just failed fails at once for {@code failureMemory} instead of
 *       costing another connect timeout.</li>
 * </ul>
 * The caller never blocks; a failure is reported to {@code onFailure} (on the gate's thread).
 */
public final class ConnectGate implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectGate.class);

    /** The send itself (JAIN-SIP's sendRequest), which may connect. */
    @FunctionalInterface
    public interface Send {
        void run() throws Exception;
    }

    /** A send refused before any I/O (a name that does not resolve, a refused address): reported as it is. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private final int perOwner;
    private final long failureMemoryNanos;
    private final LongSupplier nanos;
    private final ThreadPoolExecutor pool;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    /** destination → when its recent connect failure stops counting (nanos), and why. */
    private final Map<String, Failure> recentFailures = new ConcurrentHashMap<>();

    private record Failure(long untilNanos, String reason) {
    }

    public ConnectGate(int threads, int perOwner, Duration failureMemory, LongSupplier nanos) {
        this.perOwner = perOwner;
        this.failureMemoryNanos = failureMemory.toNanos();
        this.nanos = nanos;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "sip-connect-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param owner     whose send it is (a customer id): the unit of fairness
     * @param transport udp, tcp or tls
     * @param host      where the stack will send: an address literal or a name
     */
    public void send(String owner, String transport, String host, int port, Send send, Consumer<String> onFailure) {
        if (isLiteral(host)) {
            runReporting(send, onFailure, null);
            return;
        }
        String destination = transport.toLowerCase(Locale.ROOT) + ":" + host.toLowerCase(Locale.ROOT) + ":" + port;
        Failure recent = recentFailures.get(destination);
        if (recent != null) {
            if (nanos.getAsLong() < recent.untilNanos()) {
                onFailure.accept(recent.reason() + " (failed moments ago; not tried again yet)");
                return;
            }
            recentFailures.remove(destination, recent);
        }
        AtomicInteger mine = inFlight.computeIfAbsent(owner, k -> new AtomicInteger());
        if (mine.incrementAndGet() > perOwner) {
            mine.decrementAndGet();
            onFailure.accept("too many connections being opened for this customer at once (" + perOwner + ")");
            return;
        }
        try {
            pool.execute(() -> {
                try {
                    runReporting(send, onFailure, destination);
                } finally {
                    mine.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            mine.decrementAndGet();
            onFailure.accept("too many connections being opened");
        }
    }

    private void runReporting(Send send, Consumer<String> onFailure, String destination) {
        try {
            send.run();
        } catch (Exception e) {
            String reason = reason(e);
            if (destination != null && unreachable(e)) {
                recentFailures.put(destination, new Failure(nanos.getAsLong() + failureMemoryNanos, reason));
            }
            log.debug("send to {} failed: {}", destination, reason);
            onFailure.accept(reason);
        }
    }

    private static boolean unreachable(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof SocketTimeoutException
                    || c instanceof java.net.UnknownHostException || c instanceof java.net.NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }

    private static String reason(Throwable e) {
        if (e instanceof Refused) {
            return e.getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return "transport error: " + (m == null || m.isBlank() ? root.getClass().getSimpleName() : m);
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** An IPv4 or (bracketed) IPv6 literal: nothing to resolve. Called per INVITE, so no regex compile. */
    static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || eu.minivoice.gateway.domain.IpRange.dottedQuad(host) != null
                || IPV4.matcher(host).matches();
    }

    /** Sends waiting for a gate thread (for tests and metrics). */
    public int queued() {
        return pool.getQueue().size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
