package io.tributary.bench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Turns what was recorded for one broker (rows in {@link Measurements}, tool output in
 * {@code <results>/<broker>/<workload>.<phase>.out}) into {@link Metric} values.
 *
 * <p>CPU per GB divides the broker's CPU time over one tool run (utime+stime from /proc, sampled before and after)
 * by the payload bytes that run moved (records x record size, uncompressed). Payload bytes, not wire bytes, so
 * that compression makes a broker look cheaper only if it really spends less CPU per record.
 *
 * <p>A full run repeats the workloads in rounds ({@code meta rounds}); round 1's runs are recorded as
 * {@code <workload>.<phase>}, round r's as {@code <workload>.<phase>.r<r>}. A per-workload metric is the median of
 * its rounds: on a shared 2-core box one run can be off by a third (a burst of JIT work, a scheduling tail, a
 * producer that happened to batch differently), and the median of three is not moved by one such run.
 */
final class BrokerResults {

    static final String PRODUCE = "produce";
    static final String CONSUME = "consume";
    static final String LATENCY = "latency";
    static final String ACK_LATENCY = "acklatency";
    private static final double BYTES_PER_GB = 1e9;
    private static final double KIB_PER_MIB = 1024;

    final String broker;
    private final Measurements m;
    private final Path dir;
    private final double clockTicksPerSec;
    private final int rounds;

    BrokerResults(String broker, Measurements m, Path resultsDir) {
        this.broker = broker;
        this.m = m;
        this.dir = resultsDir.resolve(broker);
        this.clockTicksPerSec = m.number(Measurements.RUN, "meta", "clk_tck").orElse(100);
        this.rounds = Math.max(1, (int) m.number(Measurements.RUN, "meta", "rounds").orElse(1));
    }

    /** How many rounds of the workloads the run made. */
    int rounds() {
        return rounds;
    }

    /** The scope (and output file stem) of one tool run of a workload in round {@code round}, counted from 1. */
    static String scope(Workload w, String phase, int round) {
        return w.id() + "." + phase + (round == 1 ? "" : ".r" + round);
    }

    /** "ok" once the broker started and the workloads ran; anything else is the reason it has no numbers. */
    String status() {
        return m.text(broker, "broker", "status").orElse("not run");
    }

    Optional<String> reason() {
        return m.text(broker, "broker", "reason").filter(r -> !r.isBlank());
    }

    /**
     * The metric's value (for a per-workload metric the median over the rounds that measured it), or empty when it
     * was not measured (broker down, tool failed, no such output).
     */
    OptionalDouble value(Metric metric, Workload w) {
        Optional<Double> value = metric.perWorkload ? median(roundValues(metric, w)) : brokerValue(metric);
        return value.filter(Double::isFinite).map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }

    /** A per-workload metric's value in each round that measured it, in round order. */
    List<Double> roundValues(Metric metric, Workload w) {
        List<Double> out = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            inRound(metric, w, round).filter(Double::isFinite).ifPresent(out::add);
        }
        return out;
    }

    private Optional<Double> inRound(Metric metric, Workload w, int round) {
        return switch (metric) {
            case PRODUCE_RECORDS_PER_S -> producer(w, PRODUCE, round).map(r -> r.whole().recordsPerSec());
            case PRODUCE_MB_PER_S -> producer(w, PRODUCE, round).map(r -> r.whole().mbPerSec());
            case PRODUCE_AVG_MS -> producer(w, PRODUCE, round).map(r -> r.whole().avgLatencyMs());
            case PRODUCE_P99_MS -> producer(w, PRODUCE, round).map(r -> r.whole().p99Ms());
            case CPU_S_PER_GB_PRODUCED -> producer(w, PRODUCE, round)
                    .map(r -> cpuSecondsPerGb(w, PRODUCE, round, r.whole().records()));
            case FETCH_RECORDS_PER_S -> consumer(w, round).map(ConsumerSummary::fetchRecordsPerSec);
            case FETCH_MB_PER_S -> consumer(w, round).map(ConsumerSummary::fetchMbPerSec);
            case CONSUMER_JOIN_MS -> consumer(w, round).map(ConsumerSummary::rebalanceMs);
            case CPU_S_PER_GB_FETCHED -> consumer(w, round).map(c -> cpuSecondsPerGb(w, CONSUME, round, c.records()));
            case LATENCY_RATE -> producer(w, LATENCY, round).map(r -> r.forLatency().recordsPerSec());
            case LATENCY_AVG_MS -> producer(w, LATENCY, round).map(r -> r.forLatency().avgLatencyMs());
            case LATENCY_P99_MS -> producer(w, LATENCY, round).map(r -> r.forLatency().p99Ms());
            case LATENCY_P999_MS -> producer(w, LATENCY, round).map(r -> r.forLatency().p999Ms());
            case CPU_S_PER_GB_AT_RATE -> producer(w, LATENCY, round)
                    .map(r -> cpuSecondsPerGb(w, LATENCY, round, r.whole().records()));
            case ACK_LATENCY_P50_US -> ackLatency(w, round).map(AckLatency.Summary::p50Us);
            case ACK_LATENCY_P99_US -> ackLatency(w, round).map(AckLatency.Summary::p99Us);
            case ACK_LATENCY_P999_US -> ackLatency(w, round).map(AckLatency.Summary::p999Us);
            default -> throw new IllegalArgumentException(metric + " is not measured per workload");
        };
    }

    private Optional<Double> brokerValue(Metric metric) {
        return switch (metric) {
            case START_READY_MS -> median(startTimes("ready_ms"));
            case RESTART_READY_MS -> median(times("restart:", "ready_ms"));
            case START_LOG_LINE_MS -> median(startTimes("logline_ms"));
            case PEAK_RSS_MB -> kibToMib(m.number(broker, "broker", "vmhwm_kb"));
            case END_RSS_MB -> kibToMib(m.number(broker, "broker", "vmrss_kb"));
            case DISK_MB -> kibToMib(m.number(broker, "broker", "disk_kb"));
            case SHUTDOWN_MS -> boxed(m.number(broker, "broker", "shutdown_ms"));
            default -> throw new IllegalArgumentException(metric + " is measured per workload");
        };
    }

    /** Every start-to-ready trial on a fresh data dir, for the report's detail line. */
    List<Double> startTimes(String key) {
        return times("start:", key);
    }

    /** Every trial whose scope starts with {@code prefix} ("start:" or "restart:"). */
    List<Double> times(String prefix, String key) {
        List<Double> out = new ArrayList<>();
        for (String scope : m.scopes(broker, prefix)) {
            m.number(broker, scope, key).ifPresent(v -> {
                if (v >= 0) {
                    out.add(v);
                }
            });
        }
        return out;
    }

    /** How undisturbed each tool run was; see {@link RunCondition}. */
    List<RunCondition> conditions(List<Workload> workloads) {
        List<RunCondition> out = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (Workload w : workloads) {
                for (String phase : List.of(PRODUCE, CONSUME, LATENCY, ACK_LATENCY)) {
                    condition(w, phase, round).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    private Optional<RunCondition> condition(Workload w, String phase, int round) {
        String scope = scope(w, phase, round);
        OptionalDouble wallMs = m.number(broker, scope, "wall_ms");
        if (wallMs.isEmpty()) {
            return Optional.empty();
        }
        double brokerS = ticksToSeconds(m.number(broker, scope, "broker_cpu_ticks"));
        double toolS = ticksToSeconds(m.number(broker, scope, "tool_cpu_ticks"));
        double hostBusyS = ticksToSeconds(m.number(broker, scope, "host_busy_ticks"));
        double hostTotalS = ticksToSeconds(m.number(broker, scope, "host_total_ticks"));
        double otherPct = hostTotalS > 0 ? Math.max(0, hostBusyS - brokerS - toolS) / hostTotalS * 100 : Double.NaN;
        String exit = m.text(broker, scope, "exit").orElse("?");
        return Optional.of(new RunCondition(scope, wallMs.getAsDouble() / 1000, brokerS, toolS, otherPct, exit,
                exit.equals("0") ? "" : firstError(output(scope))));
    }

    /**
     * One tool run: wall time, CPU of broker and tool, the share of host CPU used by anything else, and for a
     * failed run the first error line of its output.
     */
    record RunCondition(String run, double wallS, double brokerCpuS, double toolCpuS, double otherLoadPct,
                        String exit, String error) {
    }

    /** The first line that names an exception or error, else the last non-blank line. */
    static String firstError(List<String> lines) {
        String last = "";
        for (String line : lines) {
            if (line.startsWith("WARNING:")) {
                continue;
            }
            if (line.contains("Exception") || line.contains("ERROR") || line.contains("Error")) {
                return line.trim();
            }
            if (!line.isBlank()) {
                last = line.trim();
            }
        }
        return last;
    }

    private double cpuSecondsPerGb(Workload w, String phase, int round, long records) {
        OptionalDouble ticks = m.number(broker, scope(w, phase, round), "broker_cpu_ticks");
        double gb = (double) records * w.recordBytes() / BYTES_PER_GB;
        if (ticks.isEmpty() || gb <= 0) {
            return Double.NaN;
        }
        return ticks.getAsDouble() / clockTicksPerSec / gb;
    }

    private double ticksToSeconds(OptionalDouble ticks) {
        return ticks.isPresent() ? ticks.getAsDouble() / clockTicksPerSec : Double.NaN;
    }

    private Optional<ProducerSummary.Run> producer(Workload w, String phase, int round) {
        return ProducerSummary.parse(output(scope(w, phase, round)));
    }

    private Optional<AckLatency.Summary> ackLatency(Workload w, int round) {
        return AckLatency.Summary.parse(output(scope(w, ACK_LATENCY, round)));
    }

    private Optional<ConsumerSummary> consumer(Workload w, int round) {
        return ConsumerSummary.parse(output(scope(w, CONSUME, round)));
    }

    private List<String> output(String scope) {
        Path file = dir.resolve(scope + ".out");
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            // Tool output can contain a stray non-UTF-8 byte in a stack trace; never let that hide the numbers.
            return Arrays.asList(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).split("\r?\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Double> boxed(OptionalDouble v) {
        return v.isPresent() ? Optional.of(v.getAsDouble()) : Optional.empty();
    }

    private static Optional<Double> kibToMib(OptionalDouble kib) {
        return kib.isPresent() ? Optional.of(kib.getAsDouble() / KIB_PER_MIB) : Optional.empty();
    }

    static Optional<Double> median(List<Double> values) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return Optional.of(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
    }
}
