package io.tributary.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * A server-side assignor of the consumer rebalance protocol (KIP-848): computes every member's target assignment
 * from the subscriptions, the topics and the previous target. Both assignors are sticky: a partition stays with its
 * previous owner unless balance requires moving it, so a new target moves only the partitions that must move.
 */
public interface ConsumerAssignor {
    String UNIFORM = "uniform";
    String RANGE = "range";

    String name();

    /**
     * @param subscriptions member id to the ids of the (existing) topics it subscribes to
     * @param partitionCounts topic id to its number of partitions
     * @param previous      the previous target assignment by member id (members may have left or joined since)
     * @return the target of every member of {@code subscriptions}; each partition of a subscribed topic is assigned
     *         to exactly one member subscribed to it
     */
    Map<String, PartitionSet> assign(SortedMap<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitionCounts,
                                     Map<String, PartitionSet> previous);

    /** The assignor named {@code name}, or null if there is none. */
    static ConsumerAssignor named(String name) {
        if (name == null) {
            return null;
        }
        return switch (name) {
            case UNIFORM -> new UniformAssignor();
            case RANGE -> new RangeAssignor();
            default -> null;
        };
    }

    /**
     * The partitions each member keeps from its previous target: those of topics it still subscribes to that still
     * exist, each partition claimed by one member only (in member id order).
     */
    static Map<String, Map<Uuid, List<Integer>>> retained(SortedMap<String, Set<Uuid>> subscriptions,
                                                         Map<Uuid, Integer> partitionCounts,
                                                         Map<String, PartitionSet> previous) {
        Map<String, Map<Uuid, List<Integer>>> out = new TreeMap<>();
        Map<Uuid, boolean[]> claimed = new HashMap<>();
        for (Map.Entry<String, Set<Uuid>> m : subscriptions.entrySet()) {
            Map<Uuid, List<Integer>> kept = new TreeMap<>();
            PartitionSet before = previous.getOrDefault(m.getKey(), PartitionSet.EMPTY);
            for (Map.Entry<Uuid, ? extends Set<Integer>> t : before.byTopic().entrySet()) {
                Integer count = partitionCounts.get(t.getKey());
                if (count == null || !m.getValue().contains(t.getKey())) {
                    continue;
                }
                boolean[] taken = claimed.computeIfAbsent(t.getKey(), k -> new boolean[count]);
                for (int p : t.getValue()) {
                    if (p < count && !taken[p]) {
                        taken[p] = true;
                        kept.computeIfAbsent(t.getKey(), k -> new ArrayList<>()).add(p);
                    }
                }
            }
            out.put(m.getKey(), kept);
        }
        return out;
    }

    static Map<String, PartitionSet> toSets(Map<String, Map<Uuid, List<Integer>>> assignment) {
        Map<String, PartitionSet> out = new TreeMap<>();
        assignment.forEach((member, partitions) -> out.put(member, PartitionSet.of(partitions)));
        return out;
    }
}
