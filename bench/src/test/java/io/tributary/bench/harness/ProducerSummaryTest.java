package io.tributary.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ProducerSummaryTest {

    // Verbatim from kafka-tools 4.3.1 ProducerPerformance runs.
    private static final String PROGRESS = "249450 records sent, 49780.5 records/sec (4.75 MB/sec), 11.3 ms avg latency,"
            + " 201.0 ms max latency.";
    private static final String WHOLE = "1000000 records sent, 49818.163702 records/sec (4.75 MB/sec), 24.26 ms avg"
            + " latency, 1317.00 ms max latency, 4 ms 50th, 115 ms 95th, 320 ms 99th, 392 ms 99.9th.";
    private static final String STEADY = "750000 steady state records sent, 49420.137059 records/sec (4.71 MB/sec),"
            + " 6.88 ms avg latency, 201.00 ms max latency, 3 ms 50th, 22 ms 95th, 116 ms 99th, 190 ms 99.9th.";

    @Test
    void readsTheClosingLineAndSkipsProgressLines() {
        ProducerSummary.Run run = ProducerSummary.parse(List.of("WARNING: something", PROGRESS, WHOLE)).orElseThrow();

        assertThat(run.whole()).isEqualTo(new ProducerSummary(1_000_000, 49818.163702, 4.75, 24.26, 1317, 4, 115,
                320, 392));
        assertThat(run.steadyState()).isEmpty();
        assertThat(run.forLatency()).isSameAs(run.whole());
    }

    @Test
    void latencyComesFromTheSteadyStateLineWhenThereIsOne() {
        ProducerSummary.Run run = ProducerSummary.parse(List.of(PROGRESS, WHOLE, STEADY)).orElseThrow();

        assertThat(run.whole().records()).isEqualTo(1_000_000);
        assertThat(run.forLatency().records()).isEqualTo(750_000);
        assertThat(run.forLatency().p99Ms()).isEqualTo(116);
        assertThat(run.forLatency().p999Ms()).isEqualTo(190);
    }

    @Test
    void aRunThatNeverFinishedHasNoSummary() {
        assertThat(ProducerSummary.parse(List.of(PROGRESS, "org.apache.kafka.common.errors.TimeoutException: x")))
                .isEmpty();
        assertThat(ProducerSummary.parse(List.of())).isEmpty();
    }
}
