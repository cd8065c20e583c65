package io.tributary.bench.harness;

import java.util.Arrays;

/**
 * Nearest-rank percentiles and medians over raw samples, for figures the benchmark measures itself (no
 * histogram: a 15 s run at 10,000 records/s is 150,000 longs, cheap to sort).
 */
final class Percentiles {

    private Percentiles() {
    }

    /** The nearest-rank {@code p}-th percentile (0 < p <= 100) of {@code samples}; sorts the array in place. */
    static long of(long[] samples, int count, double p) {
        if (count < 1 || count > samples.length) {
            throw new IllegalArgumentException("need 1.." + samples.length + " samples, got " + count);
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        Arrays.sort(samples, 0, count);
        int rank = (int) Math.ceil(p / 100.0 * count);
        return samples[Math.max(rank, 1) - 1];
    }

    /** The median (lower middle for an even count), the figure reported over a handful of trials. */
    static long median(long... samples) {
        return of(samples.clone(), samples.length, 50);
    }
}
