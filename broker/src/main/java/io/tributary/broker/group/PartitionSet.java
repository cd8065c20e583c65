package io.tributary.broker.group;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * An immutable set of partitions keyed by topic id, as the consumer rebalance protocol (KIP-848) talks about them:
 * target assignments, current assignments, partitions pending revocation. Sorted and without empty topics, so two
 * sets with the same partitions are equal and encode to the same bytes.
 */
public final class PartitionSet {
    public static final PartitionSet EMPTY = new PartitionSet(new TreeMap<>());

    private final SortedMap<Uuid, SortedSet<Integer>> byTopic;
    private final int size;

    private PartitionSet(TreeMap<Uuid, SortedSet<Integer>> byTopic) {
        int n = 0;
        for (SortedSet<Integer> s : byTopic.values()) {
            n += s.size();
        }
        this.byTopic = Collections.unmodifiableSortedMap(byTopic);
        this.size = n;
    }

    /** A copy of {@code partitions}; empty topics are dropped, negative partition ids are refused. */
    public static PartitionSet of(Map<Uuid, ? extends Iterable<Integer>> partitions) {
        TreeMap<Uuid, SortedSet<Integer>> copy = new TreeMap<>();
        for (Map.Entry<Uuid, ? extends Iterable<Integer>> e : partitions.entrySet()) {
            TreeSet<Integer> set = new TreeSet<>();
            for (Integer p : e.getValue()) {
                if (p == null || p < 0) {
                    throw new IllegalArgumentException("invalid partition " + p + " of topic " + e.getKey());
                }
                set.add(p);
            }
            if (!set.isEmpty()) {
                copy.put(e.getKey(), Collections.unmodifiableSortedSet(set));
            }
        }
        return copy.isEmpty() ? EMPTY : new PartitionSet(copy);
    }

    public SortedMap<Uuid, SortedSet<Integer>> byTopic() {
        return byTopic;
    }

    public Set<Integer> partitions(Uuid topicId) {
        SortedSet<Integer> s = byTopic.get(topicId);
        return s == null ? Set.of() : s;
    }

    public boolean contains(Uuid topicId, int partition) {
        SortedSet<Integer> s = byTopic.get(topicId);
        return s != null && s.contains(partition);
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** True if some partition is in both sets. */
    public boolean intersects(PartitionSet other) {
        for (Map.Entry<Uuid, SortedSet<Integer>> e : byTopic.entrySet()) {
            for (int p : e.getValue()) {
                if (other.contains(e.getKey(), p)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True if every partition of this set is in {@code other}. */
    public boolean subsetOf(PartitionSet other) {
        for (Map.Entry<Uuid, SortedSet<Integer>> e : byTopic.entrySet()) {
            if (!other.partitions(e.getKey()).containsAll(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** A mutable copy, for builders. */
    public Map<Uuid, Set<Integer>> toMutable() {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        byTopic.forEach((t, ps) -> out.put(t, new HashSet<>(ps)));
        return out;
    }

    /** Every (topic, partition) pair in order. */
    public List<Map.Entry<Uuid, Integer>> entries() {
        List<Map.Entry<Uuid, Integer>> out = new ArrayList<>(size);
        byTopic.forEach((t, ps) -> ps.forEach(p -> out.add(Map.entry(t, p))));
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionSet s && byTopic.equals(s.byTopic);
    }

    @Override
    public int hashCode() {
        return byTopic.hashCode();
    }

    @Override
    public String toString() {
        return byTopic.toString();
    }
}
