package io.tributary.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ConsumerSummaryTest {

    private static final String HEADER = "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg,"
            + " nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
    private static final String ROW = "2026-11-22 00:56:26:871, 2026-11-22 00:56:40:300, 286.1023, 21.3048, 3000000,"
            + " 223397.1256, 7483, 5946, 48.1168, 504540.8678";

    @Test
    void readsTheFetchPhaseColumns() {
        ConsumerSummary s = ConsumerSummary.parse(List.of(HEADER, ROW)).orElseThrow();

        assertThat(s).isEqualTo(new ConsumerSummary(3_000_000, 286.1023, 5946, 504540.8678, 48.1168, 7483));
    }

    @Test
    void toleratesJvmWarningsBetweenHeaderAndRow() {
        List<String> lines = List.of(HEADER,
                "WARNING: A restricted method in java.lang.System has been called",
                "WARNING: Use --enable-native-access=ALL-UNNAMED to avoid a warning for callers in this module",
                "", ROW);

        assertThat(ConsumerSummary.parse(lines)).map(ConsumerSummary::records).contains(3_000_000L);
    }

    @Test
    void noRowMeansNoSummary() {
        assertThat(ConsumerSummary.parse(List.of(HEADER))).isEmpty();
        assertThat(ConsumerSummary.parse(List.of(HEADER, "Exception in thread main, boom"))).isEmpty();
    }
}
