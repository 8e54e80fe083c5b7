package eu.minivoice.gateway.cluster;

import eu.minivoice.gateway.store.ClusterStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reconcile against what this node changes meanwhile (found by bench/cluster: a trunk created
 * while the full reload ran was taken for deleted elsewhere and stopped registering).
 */
class ChangeFeedReconcileTest {
    private record Rec(String id, int version) {
    }

    private final List<String> applied = new ArrayList<>();
    private final ClusterStore silent = (ClusterStore) java.lang.reflect.Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {ClusterStore.class}, (p, m, a) -> null);

    @Test
    void aRecordThisNodeCreatesOrChangesDuringTheReloadIsNotUndone() {
        ChangeFeed feed = new ChangeFeed(silent, () -> null, Duration.ofSeconds(30));
        List<Rec> rows = new ArrayList<>(List.of(new Rec("a", 1), new Rec("b", 1)));
        ChangeFeed.Mirror<Rec>[] mirror = new ChangeFeed.Mirror[1];
        boolean[] localChangeDuringRead = {true};
        mirror[0] = feed.mirror("rec", Rec::id, r -> "cust", (c, id) -> Optional.empty(), () -> {
            List<Rec> read = List.copyOf(rows); // the rows as read, before the local changes commit
            if (localChangeDuringRead[0]) {
                mirror[0].changed(null, new Rec("c", 1));          // created here meanwhile
                mirror[0].changed(new Rec("b", 1), new Rec("b", 2)); // changed here meanwhile
            }
            return read;
        }, List.copyOf(rows), (before, after) -> {
            applied.add(before + " -> " + after);
            mirror[0].changed(before, after);
        });

        assertEquals(0, mirror[0].reconcile(), "nothing changed elsewhere: " + applied);
        assertEquals(3, mirror[0].values().size());

        // A real change elsewhere is still found: "a" deleted, "b" at version 3.
        localChangeDuringRead[0] = false;
        rows.clear();
        rows.add(new Rec("b", 3));
        rows.add(new Rec("c", 1));
        assertEquals(2, mirror[0].reconcile());
        assertEquals(List.of("Rec[id=a, version=1] -> null", "Rec[id=b, version=2] -> Rec[id=b, version=3]"), applied);
    }
}
