package io.tributary.it.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a group consumed, per partition in delivery order, and by whom. Records are written by
 * {@link GroupClients#produce} with values naming their own offset, so a record delivered at the wrong offset (or
 * from the wrong partition) is caught as well as a lost, duplicated or reordered one.
 */
final class Ledger {
    private final Map<Integer, List<Long>> offsets = new ConcurrentHashMap<>();
    private final Map<Integer, Set<String>> consumers = new ConcurrentHashMap<>();
    private final List<String> misplaced = new CopyOnWriteArrayList<>();
    private final AtomicLong count = new AtomicLong();

    void record(String consumer, ConsumerRecord<String, String> r) {
        record(consumer, r.partition(), r.offset(), r.value());
    }

    void record(String consumer, int partition, long offset, String value) {
        if (!(partition + "-" + offset).equals(value)) {
            misplaced.add("partition " + partition + " offset " + offset + " holds " + value);
        }
        offsets.computeIfAbsent(partition, k -> new CopyOnWriteArrayList<>()).add(offset);
        consumers.computeIfAbsent(partition, k -> ConcurrentHashMap.newKeySet()).add(consumer);
        count.incrementAndGet();
    }

    long count() {
        return count.get();
    }

    List<Long> offsets(int partition) {
        return List.copyOf(offsets.getOrDefault(partition, List.of()));
    }

    Set<String> consumersOf(int partition) {
        return Set.copyOf(consumers.getOrDefault(partition, Set.of()));
    }

    /** True once every offset below the partition's end was seen at least once. */
    boolean covers(int partitions, long perPartitionEnd) {
        for (int p = 0; p < partitions; p++) {
            if (offsets(p).stream().distinct().count() < perPartitionEnd) {
                return false;
            }
        }
        return true;
    }

    /** Every offset 0..end-1 of every partition exactly once, in offset order. */
    void assertExactlyOnceInOrder(Map<Integer, Long> endOffsets) {
        assertThat(misplaced).as("records delivered at an offset other than the one they were written to").isEmpty();
        for (Map.Entry<Integer, Long> e : new TreeMap<>(endOffsets).entrySet()) {
            assertThat(sequenceProblem(offsets(e.getKey()), 0, e.getValue())).as("partition %d", e.getKey()).isNull();
        }
    }

    /**
     * Null if {@code seen} is exactly {@code from, from+1, ..., to-1}, else where it first differs (lists of tens of
     * thousands of offsets make unreadable assertion messages).
     */
    static String sequenceProblem(List<Long> seen, long from, long to) {
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i) != from + i) {
                return "delivery #" + i + " was offset " + seen.get(i) + ", expected " + (from + i) + "; around it: "
                        + seen.subList(Math.max(0, i - 3), Math.min(seen.size(), i + 4));
            }
        }
        if (seen.size() != to - from) {
            return seen.size() + " deliveries, expected offsets " + from + ".." + (to - 1)
                    + (seen.isEmpty() ? "" : "; last " + seen.get(seen.size() - 1));
        }
        return null;
    }

    /** Every offset 0..end-1 of every partition at least once (redelivery allowed, gaps not). */
    void assertNoGaps(int partitions, long perPartitionEnd) {
        assertThat(misplaced).as("records delivered at an offset other than the one they were written to").isEmpty();
        for (int p = 0; p < partitions; p++) {
            List<Long> distinct = new ArrayList<>(new TreeSet<>(offsets(p)));
            List<Long> missing = new ArrayList<>();
            for (long o = 0; o < perPartitionEnd && missing.size() < 10; o++) {
                if (Collections.binarySearch(distinct, o) < 0) {
                    missing.add(o);
                }
            }
            assertThat(missing).as("offsets never delivered in partition %d (first 10)", p).isEmpty();
        }
    }
}
