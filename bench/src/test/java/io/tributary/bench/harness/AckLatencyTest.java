package io.tributary.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AckLatencyTest {

    @Test
    void theReportReadsBackTheLineTheToolPrints() {
        AckLatency.Summary printed = new AckLatency.Summary(1_000_000, 49_990.4, 812.5, 640.2, 2_113.9, 5_021.0, 40_310.7);
        String line = printed.line();

        assertThat(line).isEqualTo("ack-latency: 1000000 records measured, 49990.4 records/s, avg 812.5 us, p50 640.2 us,"
                + " p99 2113.9 us, p99.9 5021.0 us, max 40310.7 us");
        assertThat(AckLatency.Summary.parse(List.of("WARNING: a client log line", line))).contains(printed);
        assertThat(AckLatency.Summary.parse(List.of("Exception in thread \"main\""))).isEmpty();
    }
}
