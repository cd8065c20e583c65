package io.tributary.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * Writes {@code report.md} for one benchmark run directory and prints it: Kafka's value, Tributary's value and
 * the ratio Tributary / Kafka for every metric, with the targets marked met or missed, followed by how
 * undisturbed each tool run was (this box is shared, so a run with other load is worth less).
 *
 * <p>Usage: {@code BenchReport <results-dir>}; the directory holds {@code measurements.tsv} and one folder of
 * tool output per broker. A broker that could not be run still gets its column, with the reason.
 */
public final class BenchReport {

    static final String KAFKA = "kafka";
    static final String TRIBUTARY = "tributary";
    /** Above this much foreign CPU during a run, the report warns that the numbers are noisy. */
    private static final double NOISY_OTHER_LOAD_PCT = 10;

    private final Measurements m;
    private final List<Workload> workloads;
    private final BrokerResults kafka;
    private final BrokerResults tributary;

    BenchReport(Path resultsDir) throws IOException {
        this.m = Measurements.load(resultsDir.resolve("measurements.tsv"));
        this.workloads = Workload.all(m);
        this.kafka = new BrokerResults(KAFKA, m, resultsDir);
        this.tributary = new BrokerResults(TRIBUTARY, m, resultsDir);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: BenchReport <results-dir>");
        }
        Path dir = Path.of(args[0]);
        String report = new BenchReport(dir).render();
        Files.writeString(dir.resolve("report.md"), report, StandardCharsets.UTF_8);
        System.out.print(report);
    }

    String render() {
        StringBuilder out = new StringBuilder();
        header(out);
        targets(out);
        allMetrics(out);
        rounds(out);
        conditions(out);
        return out.toString();
    }

    private void header(StringBuilder out) {
        String kafkaVersion = meta("kafka_version", "?");
        out.append("# Tributary vs Apache Kafka ").append(kafkaVersion).append("\n\n");
        out.append("- run: ").append(meta("started", "?")).append(", mode **").append(meta("mode", "?"))
                .append("**, took ").append(meta("duration_s", "?")).append(" s\n");
        out.append("- host: ").append(meta("host", "?")).append("\n");
        out.append("- JDK: ").append(meta("java", "?")).append("\n");
        out.append("- Tributary: ").append(meta("tributary_version", "(did not start)"))
                .append(m.text(Measurements.RUN, "meta", "tributary_build").map(b -> " — **" + b + "**").orElse(""))
                .append("\n");
        for (BrokerResults b : List.of(kafka, tributary)) {
            if (!b.status().equals("ok")) {
                out.append("- **").append(b.broker).append(": ").append(b.status()).append("**")
                        .append(b.reason().map(r -> " — " + r).orElse("")).append("\n");
            }
        }
        out.append("- ratios are Tributary / Kafka; lower is better for CPU, latency, memory and start time, "
                + "higher is better for throughput\n\n");
    }

    private void targets(StringBuilder out) {
        out.append("## Targets\n\n");
        Table table = new Table("Target", "Workload", "Kafka", "Tributary", "Tributary/Kafka", "Goal", "Status");
        int met = 0;
        int judged = 0;
        for (Target t : Target.values()) {
            for (Workload w : scopeOf(t.metric)) {
                if (w != null && !t.appliesTo(w)) {
                    continue;
                }
                Row row = row(t.metric, w);
                Target.Status status = t.judge(row.ratio);
                if (status != Target.Status.NOT_MEASURED) {
                    judged++;
                    met += status == Target.Status.MET ? 1 : 0;
                }
                table.add(t.metric.label + " (" + t.metric.unit + ")", w == null ? "-" : workloadName(t.metric, w),
                        row.kafkaText(), row.tributaryText(), row.ratioText(), t.goal(), bold(status));
            }
        }
        out.append(table.render()).append('\n');
        out.append(String.format(Locale.ROOT, "**%d of %d measured targets met.**%n%n", met, judged));
        if (workloads.stream().noneMatch(Target.P99_AT_50K::appliesTo)) {
            out.append("(No workload ran at 50,000 records/s, so the p99 target was not judged.)\n\n");
        }
    }

    private void allMetrics(StringBuilder out) {
        out.append("## All metrics\n\n");
        Table table = new Table("Workload", "Metric", "Unit", "Kafka", "Tributary", "Tributary/Kafka", "Goal",
                "Status");
        for (Metric metric : Metric.values()) {
            if (metric.perWorkload) {
                continue;
            }
            Row row = row(metric, null);
            addWithTarget(table, "-", metric, row, true);
        }
        for (Workload w : workloads) {
            for (Metric metric : Metric.values()) {
                if (!metric.perWorkload) {
                    continue;
                }
                Row row = row(metric, w);
                Target t = Target.forMetric(metric);
                addWithTarget(table, workloadName(metric, w), metric, row, t == null || t.appliesTo(w));
            }
        }
        out.append(table.render()).append('\n');
        for (BrokerResults b : List.of(kafka, tributary)) {
            List<Double> trials = b.startTimes("ready_ms");
            if (!trials.isEmpty()) {
                out.append("- ").append(b.broker).append(" start-to-ready trials (ms): ")
                        .append(trials.stream().map(v -> String.format(Locale.ROOT, "%.0f", v))
                                .collect(Collectors.joining(", ")))
                        .append(BrokerResults.median(b.startTimes("format_ms"))
                                .map(ms -> String.format(Locale.ROOT,
                                        " (plus a storage format before each start, median %.0f ms)", ms))
                                .orElse(""))
                        .append("\n");
            }
            List<Double> restarts = b.times("restart:", "ready_ms");
            if (!restarts.isEmpty()) {
                out.append("- ").append(b.broker).append(" restart-to-ready trials (ms): ")
                        .append(restarts.stream().map(v -> String.format(Locale.ROOT, "%.0f", v))
                                .collect(Collectors.joining(", ")))
                        .append("\n");
            }
        }
        out.append('\n');
    }

    /** Each round's value of every per-workload target metric, so the spread behind each median is visible. */
    private void rounds(StringBuilder out) {
        if (Math.max(kafka.rounds(), tributary.rounds()) < 2) {
            return;
        }
        out.append("## Rounds\n\nThe per-workload figures above are medians over these rounds, each broker's own.\n\n");
        Table table = new Table("Target metric", "Workload", "Kafka, per round", "Tributary, per round");
        for (Target t : Target.values()) {
            if (!t.metric.perWorkload) {
                continue;
            }
            for (Workload w : workloads) {
                if (t.appliesTo(w)) {
                    table.add(t.metric.label + " (" + t.metric.unit + ")", workloadName(t.metric, w),
                            perRound(kafka, t.metric, w), perRound(tributary, t.metric, w));
                }
            }
        }
        out.append(table.render()).append('\n');
    }

    private static String perRound(BrokerResults b, Metric metric, Workload w) {
        List<Double> values = b.roundValues(metric, w);
        return values.isEmpty() ? "n/a" : values.stream().map(metric::format).collect(Collectors.joining(" / "));
    }

    /** Fixed-rate metrics name their rate, since it differs between workloads. */
    private static String workloadName(Metric metric, Workload w) {
        if (metric.atFixedRate()) {
            return w.description() + String.format(Locale.ROOT, " @ %,d/s", w.latencyRatePerSec());
        }
        return w.description();
    }

    private void addWithTarget(Table table, String workload, Metric metric, Row row, boolean targetApplies) {
        Target t = Target.forMetric(metric);
        boolean judged = t != null && targetApplies;
        table.add(workload, metric.label, metric.unit, row.kafkaText(), row.tributaryText(), row.ratioText(),
                judged ? t.goal() : "", judged ? bold(t.judge(row.ratio)) : "");
    }

    private void conditions(StringBuilder out) {
        out.append("## Run conditions\n\n");
        out.append("Other load = host CPU used by anything but the broker and the tool during that run "
                + "(other builds on a shared box), as a share of all cores. Above ")
                .append(String.format(Locale.ROOT, "%.0f", NOISY_OTHER_LOAD_PCT))
                .append("% the run's numbers are noisy.\n\n");
        Table table = new Table("Broker", "Run", "Wall s", "Broker CPU s", "Tool CPU s", "Other load %", "Exit");
        List<String> noisy = new ArrayList<>();
        for (BrokerResults b : List.of(kafka, tributary)) {
            for (BrokerResults.RunCondition c : b.conditions(workloads)) {
                table.add(b.broker, c.run(), f1(c.wallS()), f1(c.brokerCpuS()), f1(c.toolCpuS()),
                        f1(c.otherLoadPct()), c.exit());
                if (c.otherLoadPct() > NOISY_OTHER_LOAD_PCT) {
                    noisy.add(b.broker + " " + c.run());
                }
            }
        }
        out.append(table.render()).append('\n');
        if (!noisy.isEmpty()) {
            out.append("**Noisy runs:** ").append(String.join(", ", noisy)).append("\n\n");
        }
        for (BrokerResults b : List.of(kafka, tributary)) {
            for (BrokerResults.RunCondition c : b.conditions(workloads)) {
                if (!c.exit().equals("0")) {
                    out.append("- **").append(b.broker).append(' ').append(c.run()).append(" failed** (exit ")
                            .append(c.exit()).append("): `").append(c.error().replace('`', '\'')).append("`\n");
                }
            }
        }
    }

    /** null stands for "not per workload", so broker-level metrics iterate once. */
    private List<Workload> scopeOf(Metric metric) {
        if (metric.perWorkload) {
            return workloads;
        }
        List<Workload> once = new ArrayList<>();
        once.add(null);
        return once;
    }

    private Row row(Metric metric, Workload w) {
        return new Row(metric, kafka.value(metric, w), tributary.value(metric, w));
    }

    private String meta(String key, String fallback) {
        return m.text(Measurements.RUN, "meta", key).orElse(fallback);
    }

    private static String bold(Target.Status status) {
        return status == Target.Status.NOT_MEASURED ? status.label : "**" + status.label + "**";
    }

    private static String f1(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "n/a";
    }

    /** One metric for both brokers and their ratio. */
    private record Row(Metric metric, OptionalDouble kafka, OptionalDouble tributary, OptionalDouble ratio) {
        Row(Metric metric, OptionalDouble kafka, OptionalDouble tributary) {
            this(metric, kafka, tributary, ratio(kafka, tributary));
        }

        private static OptionalDouble ratio(OptionalDouble kafka, OptionalDouble tributary) {
            if (kafka.isEmpty() || tributary.isEmpty() || kafka.getAsDouble() == 0) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(tributary.getAsDouble() / kafka.getAsDouble());
        }

        String kafkaText() {
            return kafka.isPresent() ? metric.format(kafka.getAsDouble()) : "n/a";
        }

        String tributaryText() {
            return tributary.isPresent() ? metric.format(tributary.getAsDouble()) : "n/a";
        }

        String ratioText() {
            return ratio.isPresent() ? String.format(Locale.ROOT, "%.2fx", ratio.getAsDouble()) : "n/a";
        }
    }
}
