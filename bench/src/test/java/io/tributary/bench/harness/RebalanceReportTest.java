package io.tributary.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;

import org.junit.jupiter.api.Test;

class RebalanceReportTest {

    @Test
    void medianOfTrialsAndRatioTributaryOverKafka() {
        Map<String, String> kafka = Map.of("rebalance.classic.1_ms", "3000", "rebalance.classic.2_ms", "5000",
                "rebalance.classic.3_ms", "4000", "latency.p50_us", "2000", "latency.p99_us", "8000",
                "latency.p999_us", "20000");
        Map<String, String> trib = Map.of("rebalance.classic.1_ms", "1000", "rebalance.classic.2_ms", "900",
                "rebalance.classic.3_ms", "3000", "latency.p50_us", "1000", "latency.p99_us", "2000",
                "latency.p999_us", "5000");

        String md = RebalanceReport.render(kafka, trib, Map.of());

        assertThat(md).contains("| rebalance 3→4 members, classic cooperative-sticky, median (ms) | 4,000 (3000, 5000,"
                + " 4000) | 1,000 (1000, 900, 3000) | 0.25 |");
        assertThat(md).contains("consumer protocol uniform, median (ms) | n/a | n/a | n/a |");
        assertThat(md).contains("latency p50 at 10,000 records/s (ms) | 2.00 | 1.00 | 0.50 |");
        assertThat(md).contains("latency p99.9 at 10,000 records/s (ms) | 20.00 | 5.00 | 0.25 |");
    }

    @Test
    void aFailedSideIsNamedAndLeavesRatiosOpen() {
        String md = RebalanceReport.render(Map.of("latency.p99_us", "8000"), Map.of("error", "broker did not start"),
                Map.of("host", "2 CPUs"));

        assertThat(md).contains("- host: 2 CPUs").contains("Tributary: broker did not start")
                .contains("p99 at 10,000 records/s (ms) | 8.00 | n/a | n/a |");
    }

    @Test
    void percentilesAreNearestRank() {
        long[] samples = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
        assertThat(Percentiles.of(samples.clone(), 10, 50)).isEqualTo(5);
        assertThat(Percentiles.of(samples.clone(), 10, 99)).isEqualTo(10);
        assertThat(Percentiles.of(samples.clone(), 10, 10)).isEqualTo(1);
        assertThat(Percentiles.of(samples.clone(), 3, 100)).isEqualTo(5);
        assertThat(Percentiles.median(7, 3, 5)).isEqualTo(5);
        assertThatThrownBy(() -> Percentiles.of(samples, 0, 50)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Percentiles.of(samples, 10, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void coverageNeedsEveryPartitionOnceAndEveryMemberToOwnSome() {
        var a = new GroupMember.State(Set.of(tp(0), tp(1)), 0, 0);
        var b = new GroupMember.State(Set.of(tp(2)), 0, 0);
        var overlapping = new GroupMember.State(Set.of(tp(1), tp(2)), 0, 0);
        var empty = new GroupMember.State(Set.of(), 0, 0);

        assertThat(RebalanceBench.covered(List.of(a, b), 3)).isTrue();
        assertThat(RebalanceBench.covered(List.of(a, overlapping), 3)).isFalse();
        assertThat(RebalanceBench.covered(List.of(a, b, empty), 3)).isFalse();
        assertThat(RebalanceBench.covered(List.of(a), 3)).isFalse();
    }

    private static TopicPartition tp(int p) {
        return new TopicPartition("t", p);
    }
}
