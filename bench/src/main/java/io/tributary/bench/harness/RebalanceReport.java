package io.tributary.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Turns the {@code key<TAB>value} files {@link RebalanceBench} wrote for each broker into the markdown table of
 * {@code bench/rebalance.sh}: Kafka, Tributary and Tributary / Kafka for every figure (lower is better for all
 * of them), medians of the rebalance trials with the individual trials alongside, latency percentiles in ms.
 *
 * <p>Usage: {@code RebalanceReport RESULT_DIR} (reads {@code kafka.tsv}, {@code tributary.tsv} and an optional
 * {@code meta.tsv}; writes {@code rebalance.md} and prints it).
 */
public final class RebalanceReport {

    private RebalanceReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: RebalanceReport RESULT_DIR");
        }
        Path dir = Path.of(args[0]);
        String report = render(read(dir.resolve("kafka.tsv")), read(dir.resolve("tributary.tsv")),
                read(dir.resolve("meta.tsv")));
        Files.writeString(dir.resolve("rebalance.md"), report, StandardCharsets.UTF_8);
        System.out.print(report);
    }

    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return values;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                values.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        return values;
    }

    static String render(Map<String, String> kafka, Map<String, String> trib, Map<String, String> meta) {
        StringBuilder md = new StringBuilder("# Rebalance and end-to-end latency: Tributary vs Apache Kafka\n\n");
        meta.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        if (!meta.isEmpty()) {
            md.append('\n');
        }
        md.append("| Metric | Kafka | Tributary | T/K |\n|---|---|---|---|\n");
        for (String protocol : List.of("classic", "consumer")) {
            String label = protocol.equals("classic")
                    ? "rebalance 3→4 members, classic cooperative-sticky, median (ms)"
                    : "rebalance 3→4 members, consumer protocol uniform, median (ms)";
            row(md, label, rebalanceMedian(kafka, protocol), rebalanceMedian(trib, protocol),
                    trials(kafka, protocol), trials(trib, protocol), 0);
        }
        for (String[] p : new String[][] {{"p50", "latency.p50_us"}, {"p99", "latency.p99_us"},
                {"p99.9", "latency.p999_us"}}) {
            row(md, "end-to-end latency " + p[0] + " at 10,000 records/s (ms)", micros(kafka, p[1]),
                    micros(trib, p[1]), "", "", 2);
        }
        for (var side : List.of(Map.entry("Kafka", kafka), Map.entry("Tributary", trib))) {
            String error = side.getValue().get("error");
            if (error != null) {
                md.append("\n").append(side.getKey()).append(": ").append(error).append('\n');
            }
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String label, OptionalDouble k, OptionalDouble t, String kDetail,
                            String tDetail, int decimals) {
        md.append("| ").append(label).append(" | ").append(format(k, decimals)).append(kDetail)
                .append(" | ").append(format(t, decimals)).append(tDetail).append(" | ");
        if (k.isPresent() && t.isPresent() && k.getAsDouble() > 0) {
            md.append(String.format(Locale.ROOT, "%.2f", t.getAsDouble() / k.getAsDouble()));
        } else {
            md.append("n/a");
        }
        md.append(" |\n");
    }

    private static String format(OptionalDouble v, int decimals) {
        return v.isPresent() ? String.format(Locale.ROOT, "%,." + decimals + "f", v.getAsDouble()) : "n/a";
    }

    private static List<Long> trialValues(Map<String, String> values, String protocol) {
        List<Long> trials = new ArrayList<>();
        for (int i = 1; values.containsKey("rebalance." + protocol + "." + i + "_ms"); i++) {
            trials.add(Long.parseLong(values.get("rebalance." + protocol + "." + i + "_ms")));
        }
        return trials;
    }

    static OptionalDouble rebalanceMedian(Map<String, String> values, String protocol) {
        List<Long> trials = trialValues(values, protocol);
        if (trials.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Percentiles.median(trials.stream().mapToLong(Long::longValue).toArray()));
    }

    private static String trials(Map<String, String> values, String protocol) {
        List<Long> trials = trialValues(values, protocol);
        return trials.size() < 2 ? "" : " (" + String.join(", ", trials.stream().map(String::valueOf).toList()) + ")";
    }

    private static OptionalDouble micros(Map<String, String> values, String key) {
        return Optional.ofNullable(values.get(key)).map(v -> OptionalDouble.of(Long.parseLong(v) / 1000.0))
                .orElse(OptionalDouble.empty());
    }
}
