package io.tributary.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** The server-side assignors: complete, exclusive, balanced and sticky. */
class ConsumerAssignorTest {
    private static final Uuid A = new Uuid(1, 1);
    private static final Uuid B = new Uuid(2, 2);

    @Test
    void everyPartitionGoesToExactlyOneSubscriberAndMembersStayBalanced() {
        Random random = new Random(848);
        for (int i = 0; i < 300; i++) {
            scenario(1 + random.nextInt(8), random.nextInt(31), random.nextInt(31), random.nextBoolean(),
                    random.nextBoolean(), random.nextInt(4));
        }
    }

    private void scenario(int members, int partitionsA, int partitionsB, boolean heterogeneous, boolean range,
                          int joiners) {
        ConsumerAssignor assignor = range ? new RangeAssignor() : new UniformAssignor();
        Map<Uuid, Integer> counts = Map.of(A, partitionsA, B, partitionsB);
        SortedMap<String, Set<Uuid>> subs = new TreeMap<>();
        for (int i = 0; i < members; i++) {
            subs.put("m" + i, heterogeneous && i % 2 == 1 ? Set.of(A) : Set.of(A, B));
        }
        Map<String, PartitionSet> first = assignor.assign(subs, counts, Map.of());
        check(subs, counts, first, heterogeneous);
        for (int j = 0; j < joiners; j++) {
            subs.put("n" + j, Set.of(A, B));
        }
        Map<String, PartitionSet> second = assignor.assign(subs, counts, first);
        check(subs, counts, second, heterogeneous);
        if (!heterogeneous && !range) {
            // Homogeneous and sticky: a member that joins or stays loses only partitions balance forces it to give up.
            int total = partitionsA + partitionsB;
            int moved = 0;
            for (String m : first.keySet()) {
                Set<String> before = keys(first.get(m));
                before.removeAll(keys(second.get(m)));
                moved += before.size();
                assertThat(keys(first.get(m)).size() - before.size())
                        .as("member %s keeps as much as it can", m).isEqualTo(Math.min(first.get(m).size(), second.get(m).size()));
            }
            assertThat(moved).isLessThanOrEqualTo(total);
        }
    }

    private static void check(SortedMap<String, Set<Uuid>> subs, Map<Uuid, Integer> counts,
                              Map<String, PartitionSet> assignment, boolean heterogeneous) {
        assertThat(assignment.keySet()).isEqualTo(subs.keySet());
        Set<String> seen = new HashSet<>();
        assignment.forEach((m, ps) -> ps.byTopic().forEach((t, parts) -> {
            assertThat(subs.get(m)).contains(t);
            parts.forEach(p -> {
                assertThat(p).isLessThan(counts.get(t));
                assertThat(seen.add(t + "-" + p)).isTrue();
            });
        }));
        assertThat(seen).hasSize(counts.values().stream().mapToInt(Integer::intValue).sum());
        if (!heterogeneous) {
            int min = assignment.values().stream().mapToInt(PartitionSet::size).min().orElse(0);
            int max = assignment.values().stream().mapToInt(PartitionSet::size).max().orElse(0);
            // Range balances per topic, so the total may differ by one per topic.
            assertThat(max - min).isLessThanOrEqualTo(2);
        }
    }

    private static Set<String> keys(PartitionSet ps) {
        Set<String> out = new HashSet<>();
        ps.entries().forEach(e -> out.add(e.getKey() + "-" + e.getValue()));
        return out;
    }

    @Test
    void rangeGivesContiguousRangesAndCoPartitions() {
        SortedMap<String, Set<Uuid>> subs = new TreeMap<>(Map.of("a", Set.of(A, B), "b", Set.of(A, B), "c", Set.of(A, B)));
        Map<String, PartitionSet> result = new RangeAssignor().assign(subs, Map.of(A, 7, B, 7), Map.of());
        assertThat(result.get("a").partitions(A)).containsExactly(0, 1, 2);
        assertThat(result.get("b").partitions(A)).containsExactly(3, 4);
        assertThat(result.get("c").partitions(A)).containsExactly(5, 6);
        for (String m : subs.keySet()) {
            assertThat(result.get(m).partitions(B)).isEqualTo(result.get(m).partitions(A));
        }
    }

    @Test
    void uniformMovesOnlyWhatANewMemberNeeds() {
        SortedMap<String, Set<Uuid>> subs = new TreeMap<>();
        for (String m : List.of("a", "b", "c")) {
            subs.put(m, Set.of(A));
        }
        Map<String, PartitionSet> three = new UniformAssignor().assign(subs, Map.of(A, 12), Map.of());
        subs.put("d", Set.of(A));
        Map<String, PartitionSet> four = new UniformAssignor().assign(subs, Map.of(A, 12), three);
        Map<String, Integer> sizes = new HashMap<>();
        four.forEach((m, ps) -> sizes.put(m, ps.size()));
        assertThat(sizes).containsValues(3, 3, 3, 3);
        for (String m : List.of("a", "b", "c")) {
            assertThat(three.get(m).byTopic().get(A)).containsAll(four.get(m).partitions(A));
        }
    }
}
