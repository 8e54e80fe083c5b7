package eu.minivoice.gateway.cluster;

import eu.minivoice.gateway.store.ClusterStore;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps this node's in-memory indexes in step with changes made through other nodes' APIs
 * (docs/scale-out.md). A local change is announced with PostgreSQL's NOTIFY after it committed;
 * one thread LISTENs, reloads what another node announced and hands it to the same listeners a
 * local change reaches. A full reload every {@code reconcile} (and after a lost connection)
 * catches anything a notification missed.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    static final String CHANNEL = "minivoice_changes";

    /** A connection of its own for LISTEN (held for the node's life, so not from the pool). */
    public interface ListenConnection {
        Connection open() throws SQLException;
    }

    /**
     * One kind of shared record: what this node has applied (by id), how to load one or all, and
     * where a change made elsewhere goes ({@code applyElsewhere(before, after)}, null for none).
     */
    public final class Mirror<T> {
        private final String kind;
        private final Function<T, String> id;
        private final Function<T, String> customer;
        private final BiFunction<String, String, Optional<T>> find;
        private final Supplier<List<T>> all;
        private final BiConsumer<T, T> applyElsewhere;
        private final Map<String, T> known = new ConcurrentHashMap<>();

        private Mirror(String kind, Function<T, String> id, Function<T, String> customer,
                       BiFunction<String, String, Optional<T>> find, Supplier<List<T>> all,
                       BiConsumer<T, T> applyElsewhere) {
            this.kind = kind;
            this.id = id;
            this.customer = customer;
            this.find = find;
            this.all = all;
            this.applyElsewhere = applyElsewhere;
        }

        /** What this node has applied now (the lease keeper reads trunks from here). */
        public Collection<T> values() {
            return known.values();
        }

        /** The service's listener: every change this node applies, local or from elsewhere. */
        public void changed(T before, T after) {
            T any = after != null ? after : before;
            if (after == null) {
                known.remove(id.apply(before));
            } else {
                known.put(id.apply(after), after);
            }
            if (Thread.currentThread() == feedThread) {
                return; // applying another node's change: it announced it already
            }
            try {
                store.announce(CHANNEL, kind + "\t" + customer.apply(any) + "\t" + id.apply(any));
            } catch (RuntimeException e) {
                // Not lost: the other nodes' next reconcile finds it.
                log.warn("could not announce a {} change to the other nodes ({}); they see it within {} s", kind,
                        e.getMessage(), reconcile.toSeconds());
            }
        }

        private void load(List<T> rows) {
            rows.forEach(r -> known.put(id.apply(r), r));
        }

        /** Feed thread: another node changed this record. */
        private void reload(String customerId, String recordId) {
            T before = known.get(recordId);
            T after = find.apply(customerId, recordId).orElse(null);
            if (!Objects.equals(before, after)) {
                applyElsewhere.accept(before, after);
            }
        }

        /**
         * Feed thread: every record, compared with what this node has. Only records this node did
         * not change itself while the rows were read are judged: a record created here during the
         * read is missing from the rows but is no deletion (its own notification follows).
         */
        int reconcile() {
            Map<String, T> before = new HashMap<>(known);
            Map<String, T> now = new HashMap<>();
            for (T r : all.get()) {
                now.put(id.apply(r), r);
            }
            int changes = 0;
            for (Map.Entry<String, T> e : before.entrySet()) {
                if (!now.containsKey(e.getKey()) && known.get(e.getKey()) == e.getValue()) {
                    applyElsewhere.accept(e.getValue(), null);
                    changes++;
                }
            }
            for (Map.Entry<String, T> e : now.entrySet()) {
                T mine = known.get(e.getKey());
                if (mine == before.get(e.getKey()) && !Objects.equals(mine, e.getValue())) {
                    applyElsewhere.accept(mine, e.getValue());
                    changes++;
                }
            }
            return changes;
        }
    }

    private final ClusterStore store;
    private final ListenConnection connections;
    private final Duration reconcile;
    private final List<Mirror<?>> mirrors = new CopyOnWriteArrayList<>();
    private final Map<String, Consumer<List<String>>> signals = new ConcurrentHashMap<>();
    private final Thread feedThread;
    private volatile boolean running = true;

    public ChangeFeed(ClusterStore store, ListenConnection connections, Duration reconcile) {
        this.store = store;
        this.connections = connections;
        this.reconcile = reconcile;
        this.feedThread = new Thread(this::run, "cluster-changes");
        this.feedThread.setDaemon(true);
    }

    /**
     * A kind of record to keep in step, loaded now with {@code initial} (what the node's indexes
     * were built from). Register {@link Mirror#changed} as the service's listener.
     */
    public <T> Mirror<T> mirror(String kind, Function<T, String> id, Function<T, String> customer,
                                BiFunction<String, String, Optional<T>> find, Supplier<List<T>> all,
                                List<T> initial, BiConsumer<T, T> applyElsewhere) {
        Mirror<T> m = new Mirror<>(kind, id, customer, find, all, applyElsewhere);
        m.load(initial);
        mirrors.add(m);
        return m;
    }

    /**
     * Messages between nodes that change no record (e.g. a hang-up asked of the node that carries
     * a call): {@code handler} gets the fields of every {@code kind} message any node sends, this
     * one included, on the feed thread — so it must not wait on anything slow.
     */
    public void onSignal(String kind, Consumer<List<String>> handler) {
        signals.put(kind, handler);
    }

    /**
     * Sends a message to every node (itself included) once committed. Best effort: a node whose
     * listening connection is down at that moment misses it, so the sender must bound its wait.
     * @throws IllegalArgumentException for a field with a tab or line break (the separators)
     * @throws RuntimeException when the database cannot take it
     */
    public void signal(String kind, List<String> fields) {
        for (String f : fields) {
            if (f.indexOf('\t') >= 0 || f.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a signal field holds a separator: " + kind);
            }
        }
        store.announce(CHANNEL, kind + "\t" + String.join("\t", fields));
    }

    public void start() {
        feedThread.start();
    }

    private void run() {
        Connection conn = null;
        long lastReconcile = System.nanoTime();
        while (running) {
            try {
                if (conn == null) {
                    conn = connections.open();
                    try (Statement st = conn.createStatement()) {
                        st.execute("LISTEN " + CHANNEL);
                    }
                    reconcileAll(); // whatever changed while this node was not listening
                    lastReconcile = System.nanoTime();
                }
                PGNotification[] got = conn.unwrap(PGConnection.class).getNotifications(250);
                if (got != null && got.length > 0) {
                    apply(got);
                }
                if (System.nanoTime() - lastReconcile > reconcile.toNanos()) {
                    reconcileAll();
                    lastReconcile = System.nanoTime();
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    break;
                }
                log.warn("cluster change feed: {}; reconnecting in 1 s", e.getMessage());
                closeQuietly(conn);
                conn = null;
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
        closeQuietly(conn);
    }

    private void apply(PGNotification[] got) {
        Set<String> distinct = new LinkedHashSet<>();
        for (PGNotification n : got) {
            distinct.add(n.getParameter());
        }
        for (String payload : distinct) {
            String[] all = payload.split("\t", -1);
            Consumer<List<String>> signal = signals.get(all[0]);
            if (signal != null) {
                try {
                    signal.accept(List.of(all).subList(1, all.length));
                } catch (RuntimeException e) {
                    log.warn("cluster change feed: handling a {} message failed: {}", all[0], e.toString());
                }
                continue;
            }
            String[] parts = payload.split("\t", 3);
            if (parts.length != 3) {
                continue;
            }
            for (Mirror<?> m : mirrors) {
                if (m.kind.equals(parts[0])) {
                    m.reload(parts[1], parts[2]);
                }
            }
        }
    }

    private void reconcileAll() {
        List<String> changed = new ArrayList<>();
        for (Mirror<?> m : mirrors) {
            int n = m.reconcile();
            if (n > 0) {
                changed.add(n + " " + m.kind);
            }
        }
        if (!changed.isEmpty()) {
            log.info("cluster change feed: reconcile applied changes made elsewhere: {}", changed);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        running = false;
        feedThread.interrupt();
        try {
            feedThread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
