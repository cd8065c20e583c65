package io.tributary.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class CleanerReportTest {

    @Test
    void throughputAndCpuPerGigabyteWithTheirRatios() {
        Map<String, String> kafka = Map.of("none.bytes_read", "1000000000", "none.elapsed_ms", "10000",
                "none.cpu_ms", "20000", "none.records_kept", "100000");
        Map<String, String> trib = Map.of("none.bytes_read", "1000000000", "none.elapsed_ms", "4000",
                "none.cpu_ms", "5000", "none.records_kept", "100000");

        String md = CleanerReport.render(kafka, trib, Map.of("records", "1000000"));

        assertThat(md).contains("- records: 1000000").contains("## Uncompressed").doesNotContain("## lz4");
        assertThat(md).containsPattern("\\| cleaner throughput \\(MB/s read\\) +\\| 100\\.0 +\\| 250\\.0 +\\| 2\\.50 +\\| higher");
        assertThat(md).containsPattern("\\| broker CPU-s per GB cleaned +\\| 20\\.00 +\\| 5\\.00 +\\| 0\\.25 +\\| lower");
        assertThat(md).containsPattern("\\| records kept +\\| 100,000 +\\| 100,000 +\\| 1\\.00 ");
    }

    @Test
    void aMissingSideReadsNotAvailableAndItsErrorIsShown() {
        Map<String, String> kafka = Map.of("lz4.bytes_read", "2000000", "lz4.elapsed_ms", "1000");
        Map<String, String> trib = Map.of("lz4.error", "cleaning not done after 300 s", "error", "x");

        String md = CleanerReport.render(kafka, trib, Map.of());

        assertThat(md).contains("## lz4").doesNotContain("## Uncompressed");
        assertThat(md).containsPattern("\\| cleaner throughput \\(MB/s read\\) +\\| 2\\.0 +\\| n/a +\\| n/a ");
        assertThat(md).contains("Tributary: cleaning not done after 300 s").contains("Tributary: x");
    }
}
