package eu.minivoice.gateway.sip.dns;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * RFC 2782's order of SRV records: lowest priority first; within one priority, picked at random in
 * proportion to weight (weight 0 only rarely first), so carriers can share load between servers.
 */
final class SrvOrder {
    record Srv(int priority, int weight, int port, String target) {
    }

    private SrvOrder() {
    }

    static List<Srv> order(List<Srv> records, RandomGenerator random) {
        List<Srv> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(Srv::priority));
        List<Srv> out = new ArrayList<>(sorted.size());
        int i = 0;
        while (i < sorted.size()) {
            int priority = sorted.get(i).priority();
            List<Srv> group = new ArrayList<>();
            while (i < sorted.size() && sorted.get(i).priority() == priority) {
                group.add(sorted.get(i++));
            }
            // RFC 2782: zero-weight records first in the running sum, so they are chosen only
            // when the random number is 0.
            group.sort(Comparator.comparingInt(s -> s.weight() == 0 ? 0 : 1));
            while (!group.isEmpty()) {
                int sum = 0;
                for (Srv s : group) {
                    sum += s.weight();
                }
                int pick = sum == 0 ? 0 : random.nextInt(sum + 1);
                int running = 0;
                for (int k = 0; k < group.size(); k++) {
                    running += group.get(k).weight();
                    if (running >= pick) {
                        out.add(group.remove(k));
                        break;
                    }
                }
            }
        }
        return out;
    }
}
