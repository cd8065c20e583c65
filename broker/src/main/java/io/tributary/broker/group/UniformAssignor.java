package io.tributary.broker.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * Kafka's default server-side assignor, "uniform": spreads all subscribed partitions over the members as evenly
 * as their subscriptions allow, keeping previous owners. Members first keep what they had; unowned partitions go
 * one by one to the least loaded member that subscribes to their topic; then, while a member holds at least two
 * more partitions than another member that could take one of them, one partition moves. Only those moves happen,
 * so adding a member to a balanced group moves just the partitions the newcomer needs.
 */
final class UniformAssignor implements ConsumerAssignor {
    @Override
    public String name() {
        return UNIFORM;
    }

    @Override
    public Map<String, PartitionSet> assign(SortedMap<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitionCounts,
                                            Map<String, PartitionSet> previous) {
        Map<String, Map<Uuid, List<Integer>>> assignment = ConsumerAssignor.retained(subscriptions, partitionCounts, previous);
        Map<String, Integer> load = new TreeMap<>();
        assignment.forEach((m, ps) -> load.put(m, ps.values().stream().mapToInt(List::size).sum()));
        // Unowned partitions, in (topic, partition) order, each to the least loaded eligible member.
        for (Map.Entry<Uuid, Integer> t : new TreeMap<>(partitionCounts).entrySet()) {
            Uuid topic = t.getKey();
            boolean[] owned = new boolean[t.getValue()];
            assignment.values().forEach(ps -> ps.getOrDefault(topic, List.of()).forEach(p -> owned[p] = true));
            for (int p = 0; p < owned.length; p++) {
                if (owned[p]) {
                    continue;
                }
                String best = null;
                for (Map.Entry<String, Set<Uuid>> m : subscriptions.entrySet()) {
                    if (m.getValue().contains(topic) && (best == null || load.get(m.getKey()) < load.get(best))) {
                        best = m.getKey();
                    }
                }
                if (best != null) {
                    assignment.get(best).computeIfAbsent(topic, k -> new ArrayList<>()).add(p);
                    load.merge(best, 1, Integer::sum);
                }
            }
        }
        // Balance: move one partition at a time from the most loaded member to a member with two fewer.
        int guard = partitionCounts.values().stream().mapToInt(Integer::intValue).sum() * Math.max(1, subscriptions.size());
        boolean moved = true;
        while (moved && guard-- > 0) {
            moved = false;
            List<String> byLoad = new ArrayList<>(load.keySet());
            byLoad.sort((a, b) -> load.get(b) - load.get(a));
            outer:
            for (String from : byLoad) {
                for (int i = byLoad.size() - 1; i >= 0; i--) {
                    String to = byLoad.get(i);
                    if (load.get(to) + 1 >= load.get(from)) {
                        break;
                    }
                    Map<Uuid, List<Integer>> fromPartitions = assignment.get(from);
                    for (Uuid topic : new ArrayList<>(fromPartitions.keySet())) {
                        List<Integer> ps = fromPartitions.get(topic);
                        if (!subscriptions.get(to).contains(topic) || ps.isEmpty()) {
                            continue;
                        }
                        int p = ps.remove(ps.size() - 1);
                        if (ps.isEmpty()) {
                            fromPartitions.remove(topic);
                        }
                        assignment.get(to).computeIfAbsent(topic, k -> new ArrayList<>()).add(p);
                        load.merge(from, -1, Integer::sum);
                        load.merge(to, 1, Integer::sum);
                        moved = true;
                        break outer;
                    }
                }
            }
        }
        return ConsumerAssignor.toSets(assignment);
    }
}
