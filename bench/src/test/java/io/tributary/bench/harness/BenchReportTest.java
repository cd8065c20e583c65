package io.tributary.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    @TempDir
    Path dir;

    /**
     * Kafka burns 2 CPU-s producing 1 GB (10M x 100 B) and Tributary 1 CPU-s: ratio 0.5, target ≤ 0.6 met.
     * Tributary's producer is slower (ratio 0.8, target ≥ 1.0 missed).
     */
    @Test
    void computesRatiosAndJudgesTargets() throws IOException {
        StringBuilder tsv = w100Run();
        broker(tsv, "kafka", 200, 4000, 1_048_576);
        broker(tsv, "tributary", 100, 400, 262_144);
        Files.writeString(dir.resolve("measurements.tsv"), tsv);
        producerOutput("kafka", 100_000, 20, 30);
        producerOutput("tributary", 80_000, 10, 12);

        String report = new BenchReport(dir).render();

        assertThat(line(report, "broker CPU per GB produced, full speed (CPU-s/GB)"))
                .contains("2.00", "1.00", "0.50x", "≤ 0.6x", "**met**");
        assertThat(line(report, "producer throughput, full speed (records/s)"))
                .contains("100,000", "80,000", "0.80x", "≥ 1.0x", "**missed**");
        assertThat(line(report, "fixed rate, linger.ms=0: p99 ack latency (µs)")).contains("3,000", "1,200", "0.40x", "**met**");
        // ProducerPerformance's whole-millisecond p99 is reported, but the target is judged on the ack latency.
        assertThat(report.lines().filter(l -> l.contains("fixed-rate run: p99 latency")))
                .isNotEmpty().allSatisfy(l -> assertThat(l).doesNotContain("met"));
        assertThat(line(report, "broker peak RSS (VmHWM) (MiB)")).contains("1,024", "256", "0.25x", "**met**");
        assertThat(line(report, "start-to-ready (Metadata answered), median (ms)"))
                .contains("4,000", "400", "0.10x", "**met**");
        assertThat(line(report, "restart-to-ready on the run's data after a clean stop, median (ms)"))
                .contains("3,000", "900", "0.30x", "**missed**");
        assertThat(report).contains("- tributary restart-to-ready trials (ms): 800, 900, 1000");
        // Nothing was consumed, so the fetch target cannot be judged rather than silently passing.
        assertThat(line(report, "broker CPU per GB fetched (CPU-s/GB)")).contains("n/a");
        assertThat(report).contains("**4 of 6 measured targets met.**");
    }

    @Test
    void aBrokerThatDidNotRunShowsWhyAndNoRatios() throws IOException {
        StringBuilder tsv = new StringBuilder();
        row(tsv, "_", "workload:w100", "description", "100 B, acks=1");
        row(tsv, "_", "workload:w100", "record_bytes", "100");
        row(tsv, "_", "workload:w100", "latency_rate", "50000");
        broker(tsv, "kafka", 200, 4000, 1_048_576);
        row(tsv, "tributary", "broker", "status", "build failed");
        row(tsv, "tributary", "broker", "reason", "[ERROR] no such artifact");
        Files.writeString(dir.resolve("measurements.tsv"), tsv);
        producerOutput("kafka", 100_000, 20, 30);

        String report = new BenchReport(dir).render();

        assertThat(report).contains("**tributary: build failed** — [ERROR] no such artifact");
        assertThat(line(report, "producer throughput, full speed (records/s)")).contains("100,000", "n/a");
        assertThat(report).contains("**0 of 0 measured targets met.**");
    }

    @Test
    void aFailedToolRunIsListedWithItsError() throws IOException {
        StringBuilder tsv = new StringBuilder();
        row(tsv, "_", "workload:w100", "description", "100 B, acks=1");
        row(tsv, "_", "workload:w100", "record_bytes", "100");
        row(tsv, "tributary", "broker", "status", "ok");
        row(tsv, "tributary", "w100.consume", "wall_ms", "3000");
        row(tsv, "tributary", "w100.consume", "exit", "1");
        Files.writeString(dir.resolve("measurements.tsv"), tsv);
        Files.createDirectories(dir.resolve("tributary"));
        Files.writeString(dir.resolve("tributary").resolve("w100.consume.out"), String.join("\n",
                "start.time, end.time, data.consumed.in.MB",
                "WARNING: A restricted method in java.lang.System has been called",
                "The node does not support FIND_COORDINATOR",
                "org.apache.kafka.common.errors.UnsupportedVersionException: The node does not support FIND_COORDINATOR"));

        String report = new BenchReport(dir).render();

        assertThat(report).contains("- **tributary w100.consume failed** (exit 1): `org.apache.kafka.common.errors"
                + ".UnsupportedVersionException: The node does not support FIND_COORDINATOR`");
        assertThat(report.lines().filter(l -> l.contains("consumer throughput (fetch phase)")))
                .isNotEmpty().allSatisfy(l -> assertThat(cells(l)).containsExactly("n/a", "n/a", "n/a"));
    }

    @Test
    void malformedMeasurementsAreRejected() throws IOException {
        Files.writeString(dir.resolve("measurements.tsv"), "kafka\tbroker\tstatus\n");

        assertThatThrownBy(() -> new BenchReport(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 tab-separated cells");
    }

    /**
     * Three rounds: Tributary's CPU per GB produced is 1.0, 3.0 (one disturbed run) and 1.2 CPU-s/GB, Kafka's 2.0 each
     * time. The median, 1.2, is judged (0.60x, met); the disturbed round alone would have missed.
     */
    @Test
    void perWorkloadMetricsAreTheMedianOfTheRounds() throws IOException {
        StringBuilder tsv = w100Run();
        row(tsv, "_", "meta", "rounds", "3");
        broker(tsv, "kafka", 200, 4000, 1_048_576);
        broker(tsv, "tributary", 100, 400, 262_144);
        long[] tributaryTicks = {100, 300, 120};
        for (int round = 2; round <= 3; round++) {
            row(tsv, "kafka", "w100.produce.r" + round, "broker_cpu_ticks", "200");
            row(tsv, "kafka", "w100.produce.r" + round, "wall_ms", "10000");
            row(tsv, "kafka", "w100.produce.r" + round, "exit", "0");
            row(tsv, "tributary", "w100.produce.r" + round, "broker_cpu_ticks", String.valueOf(tributaryTicks[round - 1]));
            row(tsv, "tributary", "w100.produce.r" + round, "wall_ms", "10000");
            row(tsv, "tributary", "w100.produce.r" + round, "exit", "0");
        }
        Files.writeString(dir.resolve("measurements.tsv"), tsv);
        producerOutput("kafka", 100_000, 20, 30);
        producerOutput("tributary", 80_000, 10, 12);
        for (int round = 2; round <= 3; round++) {
            Files.copy(dir.resolve("kafka/w100.produce.out"), dir.resolve("kafka/w100.produce.r" + round + ".out"));
            Files.writeString(dir.resolve("tributary/w100.produce.r" + round + ".out"), String.format(Locale.ROOT,
                    "10000000 records sent, %d.0 records/sec (9.54 MB/sec), 5.00 ms avg latency, 90.00 ms max"
                            + " latency, 3 ms 50th, 8 ms 95th, 40 ms 99th, 80 ms 99.9th.%n", 100_000 + 20_000 * round));
        }

        String report = new BenchReport(dir).render();

        assertThat(line(report, "broker CPU per GB produced, full speed (CPU-s/GB)"))
                .contains("2.00", "1.20", "0.60x", "**met**");
        // 80k, 140k and 160k records/s: the median 140k against Kafka's 100k.
        assertThat(line(report, "producer throughput, full speed (records/s)")).contains("140,000", "1.40x", "**met**");
        String rounds = report.substring(report.indexOf("## Rounds"));
        assertThat(line(rounds, "broker CPU per GB produced, full speed (CPU-s/GB)"))
                .contains("2.00 / 2.00 / 2.00", "1.00 / 3.00 / 1.20");
        assertThat(line(rounds, "producer throughput, full speed (records/s)"))
                .contains("100,000 / 100,000 / 100,000", "80,000 / 140,000 / 160,000");
        // The ack latency ran once (round 1 only here): its median is that one run.
        assertThat(line(report, "fixed rate, linger.ms=0: p99 ack latency (µs)")).contains("3,000", "1,200", "0.40x");
        assertThat(report.lines().filter(l -> l.startsWith("| tributary ") && l.contains(" w100.produce.r3 ")))
                .singleElement().asString().contains("| 1.2 ");
    }

    @Test
    void medianOfStartTrials() {
        assertThat(BrokerResults.median(List.of(3.0, 1.0, 2.0))).contains(2.0);
        assertThat(BrokerResults.median(List.of(4.0, 1.0))).contains(2.5);
        assertThat(BrokerResults.median(List.of())).isEmpty();
    }

    /** The run-level rows of a run with one workload, 100 B records at 50,000/s. */
    private static StringBuilder w100Run() {
        StringBuilder tsv = new StringBuilder();
        row(tsv, "_", "meta", "clk_tck", "100");
        row(tsv, "_", "workload:w100", "description", "100 B, acks=1");
        row(tsv, "_", "workload:w100", "record_bytes", "100");
        row(tsv, "_", "workload:w100", "latency_rate", "50000");
        return tsv;
    }

    private static void broker(StringBuilder tsv, String name, long produceCpuTicks, long readyMs, long hwmKb) {
        row(tsv, name, "broker", "status", "ok");
        row(tsv, name, "start:1", "ready_ms", String.valueOf(readyMs));
        // Restarts: Kafka 3,000 ms each; Tributary 800, 900 and 1,000 ms (median 900).
        for (int trial = 1; trial <= 3; trial++) {
            row(tsv, name, "restart:" + trial, "ready_ms", String.valueOf(name.equals("kafka") ? 3000 : 700 + 100 * trial));
        }
        row(tsv, name, "w100.produce", "broker_cpu_ticks", String.valueOf(produceCpuTicks));
        row(tsv, name, "w100.produce", "wall_ms", "10000");
        row(tsv, name, "w100.produce", "exit", "0");
        row(tsv, name, "broker", "vmhwm_kb", String.valueOf(hwmKb));
    }

    /** A full-speed run of 10M x 100 B = 1 GB, and a fixed-rate run with the given p99. */
    private void producerOutput(String broker, double recordsPerSec, double p50, double p99) throws IOException {
        Files.createDirectories(dir.resolve(broker));
        Files.writeString(dir.resolve(broker).resolve("w100.produce.out"), String.format(Locale.ROOT,
                "10000000 records sent, %.1f records/sec (9.54 MB/sec), 5.00 ms avg latency, 90.00 ms max latency,"
                        + " 3 ms 50th, 8 ms 95th, 40 ms 99th, 80 ms 99.9th.%n", recordsPerSec));
        Files.writeString(dir.resolve(broker).resolve("w100.latency.out"), String.format(Locale.ROOT,
                "1000000 records sent, 50000.0 records/sec (4.77 MB/sec), 2.00 ms avg latency, 90.00 ms max latency,"
                        + " %.0f ms 50th, 8 ms 95th, %.0f ms 99th, 80 ms 99.9th.%n", p50, p99));
        Files.writeString(dir.resolve(broker).resolve("w100.acklatency.out"), "some client logging\n"
                + new AckLatency.Summary(1_000_000, 50_000, p50 * 50, p50 * 40, p99 * 100, p99 * 200, p99 * 300).line());
    }

    private static void row(StringBuilder tsv, String subject, String scope, String key, String value) {
        tsv.append(subject).append('\t').append(scope).append('\t').append(key).append('\t').append(value)
                .append('\n');
    }

    /** The Kafka, Tributary and ratio cells of a row in the All metrics table. */
    private static List<String> cells(String row) {
        String[] cells = row.split("\\|");
        return List.of(cells[4].trim(), cells[5].trim(), cells[6].trim());
    }

    /** The first table line that names the metric label, i.e. its row in the Targets table. */
    private static String line(String report, String label) {
        return report.lines().filter(l -> l.startsWith("| " + label)).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + label + " in\n" + report));
    }
}
