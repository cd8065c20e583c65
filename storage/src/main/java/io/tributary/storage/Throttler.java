package io.tributary.storage;

import java.util.function.BooleanSupplier;
import org.apache.kafka.common.utils.Time;

/**
 * Keeps the cleaner's disk traffic under {@code log.cleaner.io.max.bytes.per.second}, shared by all cleaner
 * threads (as Kafka's throttler is). Callers report the bytes they read or wrote; every check interval the observed
 * rate is compared with the budget and the caller sleeps until the average is back on budget. Sleeping goes through
 * the injected {@link Time}, so tests with a manual clock see exact sleep times, and is cut into short slices so a
 * shutdown does not wait out a long throttle.
 */
final class Throttler {

    static final long CHECK_INTERVAL_MS = 300;
    private static final long SLEEP_SLICE_MS = 100;

    private final Time time;
    private final BooleanSupplier stopping;
    private volatile double bytesPerSecond;
    private long periodStartNs;
    private long observedInPeriod;
    private long sleptMs;

    Throttler(double bytesPerSecond, Time time, BooleanSupplier stopping) {
        this.time = time;
        this.stopping = stopping;
        setRate(bytesPerSecond);
        this.periodStartNs = time.nanoseconds();
    }

    void setRate(double bytesPerSecond) {
        if (!(bytesPerSecond > 0)) {
            throw new IllegalArgumentException("Rate must be positive, got " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    double rate() {
        return bytesPerSecond;
    }

    /** Total time spent throttled, for tests and the cleaning log line's context. */
    synchronized long sleptMs() {
        return sleptMs;
    }

    /** Accounts {@code bytes} of I/O and sleeps if the rate over the current period exceeds the budget. */
    synchronized void maybeThrottle(long bytes) {
        double rate = bytesPerSecond;
        if (rate == Double.MAX_VALUE) {
            return;
        }
        observedInPeriod += bytes;
        long nowNs = time.nanoseconds();
        long elapsedNs = nowNs - periodStartNs;
        // Check once per interval, or earlier once a whole interval's budget is spent (a burst, or a clock that
        // only moves when we sleep).
        if (elapsedNs < CHECK_INTERVAL_MS * 1_000_000L && observedInPeriod < rate * CHECK_INTERVAL_MS / 1000.0) {
            return;
        }
        if (observedInPeriod * 1e9 > rate * elapsedNs) {
            long targetMs = (long) Math.ceil(observedInPeriod * 1000.0 / rate);
            long sleepMs = targetMs - elapsedNs / 1_000_000L;
            while (sleepMs > 0 && !stopping.getAsBoolean()) {
                long slice = Math.min(SLEEP_SLICE_MS, sleepMs);
                time.sleep(slice);
                sleptMs += slice;
                sleepMs -= slice;
            }
        }
        periodStartNs = time.nanoseconds();
        observedInPeriod = 0;
    }
}
