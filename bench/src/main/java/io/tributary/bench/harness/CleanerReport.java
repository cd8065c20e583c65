package io.tributary.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Writes the table of {@code bench/cleaner.sh}: for each compression the script ran (uncompressed, lz4), the log
 * cleaner's throughput and CPU cost on Kafka and on Tributary, with Tributary / Kafka.
 *
 * <p>Reads the {@code key<TAB>value} files the script wrote per broker, keys prefixed with the compression
 * ({@code none.bytes_read}, {@code lz4.cpu_ms}, ...; see cleaner.sh), plus an optional {@code meta.tsv}.
 * Throughput is cleaner bytes read / cleaning time, both as the broker's own cleaner log reports them (see
 * {@link CleanerLog}); CPU is the whole broker process from the moment the script released the cleaner until the
 * partition's log files stopped changing, per 10^9 bytes read by the cleaner.
 *
 * <p>Usage: {@code CleanerReport RESULT_DIR} (writes {@code cleaner.md} and prints it).
 */
public final class CleanerReport {

    /** One row: label, how to compute it from a broker's figures, decimals. */
    private record Row(String label, Function<Map<String, String>, OptionalDouble> value, int decimals) {
    }

    private static final List<String> CODECS = List.of("none", "lz4");

    private CleanerReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CleanerReport RESULT_DIR");
        }
        Path dir = Path.of(args[0]);
        String report = render(RebalanceReport.read(dir.resolve("kafka.tsv")),
                RebalanceReport.read(dir.resolve("tributary.tsv")), RebalanceReport.read(dir.resolve("meta.tsv")));
        Files.writeString(dir.resolve("cleaner.md"), report, StandardCharsets.UTF_8);
        System.out.print(report);
    }

    static String render(Map<String, String> kafka, Map<String, String> trib, Map<String, String> meta) {
        StringBuilder md = new StringBuilder("# Log cleaner: Tributary vs Apache Kafka\n\n");
        meta.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        for (String codec : CODECS) {
            if (!ran(kafka, codec) && !ran(trib, codec)) {
                continue;
            }
            md.append("\n## ").append(codec.equals("none") ? "Uncompressed" : codec).append("\n\n");
            Table table = new Table("Metric", "Kafka", "Tributary", "T/K", "Better");
            for (Row row : rows(codec)) {
                OptionalDouble k = row.value().apply(kafka);
                OptionalDouble t = row.value().apply(trib);
                table.add(row.label(), format(k, row.decimals()), format(t, row.decimals()), ratio(k, t),
                        better(row.label()));
            }
            md.append(table.render());
            for (var side : List.of(Map.entry("Kafka", kafka), Map.entry("Tributary", trib))) {
                for (String key : List.of(codec + ".error", codec + ".warning")) {
                    String note = side.getValue().get(key);
                    if (note != null) {
                        md.append('\n').append(side.getKey()).append(": ").append(note).append('\n');
                    }
                }
            }
        }
        for (var side : List.of(Map.entry("Kafka", kafka), Map.entry("Tributary", trib))) {
            String error = side.getValue().get("error");
            if (error != null) {
                md.append('\n').append(side.getKey()).append(": ").append(error).append('\n');
            }
        }
        return md.toString();
    }

    private static boolean ran(Map<String, String> values, String codec) {
        return values.keySet().stream().anyMatch(k -> k.startsWith(codec + "."));
    }

    private static List<Row> rows(String codec) {
        Function<String, Function<Map<String, String>, OptionalDouble>> raw = key -> v -> number(v, codec + "." + key);
        return List.of(
                new Row("cleaner throughput (MB/s read)", v -> divide(number(v, codec + ".bytes_read"),
                        number(v, codec + ".elapsed_ms"), 1e3 / 1e6), 1),
                new Row("broker CPU-s per GB cleaned", v -> divide(number(v, codec + ".cpu_ms"),
                        number(v, codec + ".bytes_read"), 1e9 / 1e3), 2),
                new Row("cleaning time (s)", scaled(raw.apply("elapsed_ms"), 1e-3), 2),
                new Row("broker CPU while cleaning (s)", scaled(raw.apply("cpu_ms"), 1e-3), 2),
                new Row("cleaner thread CPU (s)", scaled(raw.apply("cleaner_thread_cpu_ms"), 1e-3), 2),
                new Row("release to log settled (s)", scaled(raw.apply("settled_ms"), 1e-3), 2),
                new Row("cleaner bytes read (MB)", scaled(raw.apply("bytes_read"), 1e-6), 1),
                new Row("cleaner bytes written (MB)", scaled(raw.apply("bytes_written"), 1e-6), 1),
                new Row("records read", raw.apply("records_read"), 0),
                new Row("records kept", raw.apply("records_kept"), 0),
                new Row("cleanings logged", raw.apply("cleanings"), 0),
                new Row("partition .log files before (MB)", scaled(raw.apply("log_bytes_before"), 1e-6), 1),
                new Row("partition .log files after (MB)", scaled(raw.apply("log_bytes_after"), 1e-6), 1));
    }

    private static String better(String label) {
        if (label.startsWith("cleaner throughput")) {
            return "higher";
        }
        return label.contains("CPU") || label.startsWith("cleaning time") || label.startsWith("release") ? "lower" : "";
    }

    private static Function<Map<String, String>, OptionalDouble> scaled(
            Function<Map<String, String>, OptionalDouble> value, double factor) {
        return v -> {
            OptionalDouble x = value.apply(v);
            return x.isPresent() ? OptionalDouble.of(x.getAsDouble() * factor) : x;
        };
    }

    /** a / b x factor, or empty when either is missing or b is not positive. */
    private static OptionalDouble divide(OptionalDouble a, OptionalDouble b, double factor) {
        if (a.isEmpty() || b.isEmpty() || b.getAsDouble() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(a.getAsDouble() / b.getAsDouble() * factor);
    }

    private static OptionalDouble number(Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            return OptionalDouble.empty();
        }
        try {
            return OptionalDouble.of(Double.parseDouble(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not a number: '" + v + "'", e);
        }
    }

    private static String format(OptionalDouble v, int decimals) {
        return v.isPresent() ? String.format(Locale.ROOT, "%,." + decimals + "f", v.getAsDouble()) : "n/a";
    }

    private static String ratio(OptionalDouble k, OptionalDouble t) {
        if (k.isEmpty() || t.isEmpty() || k.getAsDouble() <= 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f", t.getAsDouble() / k.getAsDouble());
    }
}
