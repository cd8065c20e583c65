package io.tributary.bench.harness;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The closing line of Kafka's {@code ProducerPerformance} tool, e.g. {@code 3000000 records sent, 128650.4
 * records/sec (12.27 MB/sec), 1874.24 ms avg latency, 4914.00 ms max latency, 1573 ms 50th, 4158 ms 95th, 4668 ms
 * 99th, 4743 ms 99.9th.}
 *
 * <p>With {@code --warmup-records} the tool prints a second closing line for the records after the warm-up
 * ("N steady state records sent, ..."). Latency is judged on the steady-state line when there is one, because the
 * warm-up exists to keep JIT compilation of both client and broker out of the percentiles; bytes moved (for CPU
 * per GB) always come from the whole run, since the CPU samples cover the whole run. Interim progress lines carry
 * no percentiles and are skipped.
 */
record ProducerSummary(long records, double recordsPerSec, double mbPerSec, double avgLatencyMs,
                       double maxLatencyMs, double p50Ms, double p95Ms, double p99Ms, double p999Ms) {

    private static final String NUMBER = "([0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN)";
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9]+) (steady state )?records sent, " + NUMBER
            + " records/sec \\(" + NUMBER + " MB/sec\\), " + NUMBER + " ms avg latency, " + NUMBER
            + " ms max latency, " + NUMBER + " ms 50th, " + NUMBER + " ms 95th, " + NUMBER + " ms 99th, " + NUMBER
            + " ms 99\\.9th\\.?\\s*$");

    /** Both closing lines of one tool run. */
    record Run(ProducerSummary whole, Optional<ProducerSummary> steadyState) {
        /** The summary latency should be read from. */
        ProducerSummary forLatency() {
            return steadyState.orElse(whole);
        }
    }

    /** Parses a tool's output; empty if it never printed a closing line (it failed or was killed). */
    static Optional<Run> parse(List<String> lines) {
        ProducerSummary whole = null;
        ProducerSummary steady = null;
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            ProducerSummary summary = new ProducerSummary(Long.parseLong(m.group(1)), d(m, 3), d(m, 4), d(m, 5),
                    d(m, 6), d(m, 7), d(m, 8), d(m, 9), d(m, 10));
            if (m.group(2) != null) {
                steady = summary;
            } else {
                whole = summary;
            }
        }
        return whole == null ? Optional.empty() : Optional.of(new Run(whole, Optional.ofNullable(steady)));
    }

    private static double d(Matcher m, int group) {
        return Double.parseDouble(m.group(group));
    }
}
