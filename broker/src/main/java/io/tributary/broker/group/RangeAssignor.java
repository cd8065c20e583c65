package io.tributary.broker.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * Kafka's server-side "range" assignor: per topic, its subscribers (in member id order) get contiguous ranges of
 * nearly equal size (the first {@code partitions % members} one more), so members subscribed to co-partitioned
 * topics get the same partition numbers. Sticky: each member first keeps up to its quota of what it had; only the
 * rest is redistributed, in partition order.
 */
final class RangeAssignor implements ConsumerAssignor {
    @Override
    public String name() {
        return RANGE;
    }

    @Override
    public Map<String, PartitionSet> assign(SortedMap<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitionCounts,
                                            Map<String, PartitionSet> previous) {
        Map<String, Map<Uuid, List<Integer>>> retained = ConsumerAssignor.retained(subscriptions, partitionCounts, previous);
        Map<String, Map<Uuid, List<Integer>>> assignment = new TreeMap<>();
        subscriptions.keySet().forEach(m -> assignment.put(m, new TreeMap<>()));
        for (Map.Entry<Uuid, Integer> t : new TreeMap<>(partitionCounts).entrySet()) {
            Uuid topic = t.getKey();
            int partitions = t.getValue();
            List<String> subscribers = new ArrayList<>();
            subscriptions.forEach((m, topics) -> {
                if (topics.contains(topic)) {
                    subscribers.add(m);
                }
            });
            if (subscribers.isEmpty() || partitions == 0) {
                continue;
            }
            int minQuota = partitions / subscribers.size();
            int extra = partitions % subscribers.size();
            boolean[] owned = new boolean[partitions];
            Map<String, List<Integer>> mine = new TreeMap<>();
            for (String m : subscribers) {
                List<Integer> had = new ArrayList<>(retained.get(m).getOrDefault(topic, List.of()));
                had.sort(Integer::compare);
                int quota = minQuota;
                if (had.size() > minQuota && extra > 0) {
                    quota++;
                    extra--;
                }
                List<Integer> kept = new ArrayList<>(had.subList(0, Math.min(quota, had.size())));
                kept.forEach(p -> owned[p] = true);
                mine.put(m, kept);
            }
            int next = 0;
            for (String m : subscribers) {
                List<Integer> kept = mine.get(m);
                int quota = minQuota;
                if (kept.size() <= minQuota && extra > 0) {
                    quota++;
                    extra--;
                } else if (kept.size() > minQuota) {
                    quota = kept.size();
                }
                while (kept.size() < quota) {
                    while (owned[next]) {
                        next++;
                    }
                    owned[next] = true;
                    kept.add(next);
                }
                if (!kept.isEmpty()) {
                    assignment.get(m).put(topic, kept);
                }
            }
        }
        return ConsumerAssignor.toSets(assignment);
    }
}
