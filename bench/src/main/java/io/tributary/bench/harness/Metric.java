package io.tributary.bench.harness;

/**
 * Every number the report shows, with how to print it. {@link #perWorkload} metrics exist once per workload, the
 * others once per broker. {@link #higherIsBetter} only decides the wording of the notes, never the ratio: ratios
 * are always Tributary / Kafka.
 */
enum Metric {
    PRODUCE_RECORDS_PER_S("producer throughput, full speed", "records/s", 0, true, true),
    PRODUCE_MB_PER_S("producer throughput, full speed", "MB/s", 1, true, true),
    PRODUCE_AVG_MS("avg latency, full speed", "ms", 1, true, false),
    PRODUCE_P99_MS("p99 latency, full speed", "ms", 0, true, false),
    CPU_S_PER_GB_PRODUCED("broker CPU per GB produced, full speed", "CPU-s/GB", 2, true, false),
    FETCH_RECORDS_PER_S("consumer throughput (fetch phase)", "records/s", 0, true, true),
    FETCH_MB_PER_S("consumer throughput (fetch phase)", "MB/s", 1, true, true),
    CONSUMER_JOIN_MS("consumer group join", "ms", 0, true, false),
    CPU_S_PER_GB_FETCHED("broker CPU per GB fetched", "CPU-s/GB", 2, true, false),
    LATENCY_RATE("fixed-rate run: achieved rate", "records/s", 0, true, true),
    LATENCY_AVG_MS("fixed-rate run: avg latency", "ms", 2, true, false),
    LATENCY_P99_MS("fixed-rate run: p99 latency", "ms", 0, true, false),
    LATENCY_P999_MS("fixed-rate run: p99.9 latency", "ms", 0, true, false),
    CPU_S_PER_GB_AT_RATE("broker CPU per GB produced, fixed rate", "CPU-s/GB", 2, true, false),
    ACK_LATENCY_P50_US("fixed rate, linger.ms=0: p50 ack latency", "µs", 0, true, false),
    ACK_LATENCY_P99_US("fixed rate, linger.ms=0: p99 ack latency", "µs", 0, true, false),
    ACK_LATENCY_P999_US("fixed rate, linger.ms=0: p99.9 ack latency", "µs", 0, true, false),
    START_READY_MS("start-to-ready (Metadata answered), median", "ms", 0, false, false),
    RESTART_READY_MS("restart-to-ready on the run's data after a clean stop, median", "ms", 0, false, false),
    START_LOG_LINE_MS("start-to-ready-log-line, median", "ms", 0, false, false),
    PEAK_RSS_MB("broker peak RSS (VmHWM)", "MiB", 0, false, false),
    END_RSS_MB("broker RSS at end (VmRSS)", "MiB", 0, false, false),
    DISK_MB("data dir size at end", "MiB", 0, false, false),
    SHUTDOWN_MS("clean shutdown after SIGTERM", "ms", 0, false, false);

    final String label;
    final String unit;
    final int decimals;
    final boolean perWorkload;
    final boolean higherIsBetter;

    Metric(String label, String unit, int decimals, boolean perWorkload, boolean higherIsBetter) {
        this.label = label;
        this.unit = unit;
        this.decimals = decimals;
        this.perWorkload = perWorkload;
        this.higherIsBetter = higherIsBetter;
    }

    /** Measured at the workload's fixed rate rather than at full speed. */
    boolean atFixedRate() {
        return name().startsWith("LATENCY") || name().startsWith("ACK_LATENCY") || this == CPU_S_PER_GB_AT_RATE;
    }

    String format(double value) {
        return String.format(java.util.Locale.ROOT, "%,." + decimals + "f", value);
    }
}
