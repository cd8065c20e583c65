package io.tributary.bench.harness;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The goals Tributary is measured against, each a bound on the ratio Tributary / Kafka of one {@link Metric}.
 * A per-workload target must hold for every workload it applies to.
 */
enum Target {
    CPU_PER_GB_PRODUCED(Metric.CPU_S_PER_GB_PRODUCED, Bound.AT_MOST, 0.6),
    CPU_PER_GB_FETCHED(Metric.CPU_S_PER_GB_FETCHED, Bound.AT_MOST, 0.6),
    PRODUCER_THROUGHPUT(Metric.PRODUCE_RECORDS_PER_S, Bound.AT_LEAST, 1.0),
    /**
     * Only meaningful where the fixed rate really is the 50k records/s the goal is stated for. Judged on the
     * microsecond ack latency with linger.ms=0 ({@link AckLatency} says why); ProducerPerformance's whole-millisecond
     * p99 is still reported beside it.
     */
    P99_AT_50K(Metric.ACK_LATENCY_P99_US, Bound.AT_MOST, 0.7),
    PEAK_RSS(Metric.PEAK_RSS_MB, Bound.AT_MOST, 0.5),
    START_TO_READY(Metric.START_READY_MS, Bound.AT_MOST, 0.2),
    RESTART_TO_READY(Metric.RESTART_READY_MS, Bound.AT_MOST, 0.2);

    static final long P99_TARGET_RATE_PER_SEC = 50_000;

    enum Bound { AT_MOST, AT_LEAST }

    /** Outcome of checking one ratio. */
    enum Status {
        MET("met"), MISSED("missed"), NOT_MEASURED("n/a");

        final String label;

        Status(String label) {
            this.label = label;
        }
    }

    final Metric metric;
    final Bound bound;
    final double ratio;

    Target(Metric metric, Bound bound, double ratio) {
        this.metric = metric;
        this.bound = bound;
        this.ratio = ratio;
    }

    static Target forMetric(Metric metric) {
        for (Target t : values()) {
            if (t.metric == metric) {
                return t;
            }
        }
        return null;
    }

    boolean appliesTo(Workload w) {
        return this != P99_AT_50K || w.latencyRatePerSec() == P99_TARGET_RATE_PER_SEC;
    }

    String goal() {
        return (bound == Bound.AT_MOST ? "≤ " : "≥ ") + String.format(Locale.ROOT, "%.1fx", ratio);
    }

    Status judge(OptionalDouble actualRatio) {
        if (actualRatio.isEmpty()) {
            return Status.NOT_MEASURED;
        }
        double r = actualRatio.getAsDouble();
        boolean met = bound == Bound.AT_MOST ? r <= ratio : r >= ratio;
        return met ? Status.MET : Status.MISSED;
    }
}
