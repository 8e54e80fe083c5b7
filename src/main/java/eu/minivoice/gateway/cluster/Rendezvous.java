package eu.minivoice.gateway.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Rendezvous (highest random weight) hashing: each trunk goes to the live node with the highest
 * score for the pair. Every node computes the same answer from the same live set; a node joining
 * takes about 1/n of the trunks, and a node leaving moves only its own.
 */
public final class Rendezvous {
    private Rendezvous() {
    }

    /** The node that should own {@code key}; null when there is no node. */
    public static String owner(String key, Collection<String> nodes) {
        String best = null;
        long bestScore = 0;
        for (String node : nodes) {
            long score = score(key, node);
            if (best == null || Long.compareUnsigned(score, bestScore) > 0
                    || (score == bestScore && node.compareTo(best) < 0)) {
                best = node;
                bestScore = score;
            }
        }
        return best;
    }

    /** FNV-1a over key, a separator and node, then a 64-bit finalizer so similar names spread. */
    static long score(String key, String node) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, key.getBytes(StandardCharsets.UTF_8));
        h = (h ^ 0) * 0x100000001b3L;
        h = fnv(h, node.getBytes(StandardCharsets.UTF_8));
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static long fnv(long h, byte[] bytes) {
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
