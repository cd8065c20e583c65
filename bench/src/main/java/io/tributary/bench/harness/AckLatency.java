package io.tributary.bench.harness;

import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produce acknowledgement latency at a fixed rate, to the microsecond.
 *
 * <p>Kafka's ProducerPerformance reports latency in whole milliseconds, and with the Kafka 4 default
 * {@code linger.ms=5} every record first waits for its batch to linger. On a quiet machine both brokers then
 * answer within the same millisecond after that wait, so the tool's p99 is the client's linger plus one
 * rounding step, whichever broker runs. This tool keeps everything else the same (the same Java producer,
 * record size, properties and rate, keyless records spread by the default partitioner) but times each send to
 * its callback with {@link System#nanoTime()}, and is run by bench/run.sh with {@code linger.ms=0}, so what it
 * measures is the broker's share of the wait.
 *
 * <p>Pacing works from the start time (records owed = elapsed x rate): a stall is caught up, and its cost shows
 * in the percentiles rather than being skipped (no coordinated omission from a sleeping sender). Latencies of the
 * warm-up seconds are dropped.
 *
 * <p>Usage: {@code AckLatency --bootstrap-server H:P --topic T --rate N --record-size B --seconds S
 * [--warmup-seconds W] [KEY=VALUE producer properties...]}. Prints one line, see {@link Summary}.
 */
public final class AckLatency {

    private AckLatency() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = null;
        String topic = null;
        int rate = 0;
        int recordBytes = 0;
        int seconds = 0;
        int warmupSeconds = 0;
        Properties config = new Properties();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap-server" -> bootstrap = args[++i];
                case "--topic" -> topic = args[++i];
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--record-size" -> recordBytes = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[++i]);
                default -> {
                    int eq = args[i].indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("unknown argument " + args[i]);
                    }
                    config.put(args[i].substring(0, eq), args[i].substring(eq + 1));
                }
            }
        }
        if (bootstrap == null || topic == null || rate < 1 || recordBytes < 1 || seconds < 1) {
            throw new IllegalArgumentException("need --bootstrap-server, --topic, --rate, --record-size, --seconds");
        }
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "bench-ack-latency");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        System.out.println(run(config, topic, rate, recordBytes, seconds, warmupSeconds).line());
    }

    static Summary run(Properties config, String topic, int rate, int recordBytes, int seconds, int warmupSeconds)
            throws Exception {
        long total = (long) rate * (seconds + warmupSeconds);
        long warmup = (long) rate * warmupSeconds;
        long[] latenciesNs = new long[Math.toIntExact(total - warmup)];
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        // Same bytes every time, as ProducerPerformance sends: the payload is not what is measured.
        byte[] value = new byte[recordBytes];
        long startNs;
        long endNs;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            startNs = System.nanoTime();
            long n = 0;
            while (n < total && failure.get() == null) {
                long owed = Math.min(total, (System.nanoTime() - startNs) * rate / 1_000_000_000L);
                while (n < owed) {
                    long index = n++;
                    long sentNs = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, value), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else if (index >= warmup) {
                            latenciesNs[(int) (index - warmup)] = System.nanoTime() - sentNs;
                        }
                        acked.incrementAndGet();
                    });
                }
                LockSupport.parkNanos(50_000);
            }
            producer.flush();
            endNs = System.nanoTime();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        if (acked.get() != total) {
            throw new IllegalStateException("only " + acked.get() + " of " + total + " records were acknowledged");
        }
        long sum = 0;
        for (long l : latenciesNs) {
            sum += l;
        }
        int count = latenciesNs.length;
        double achieved = total / ((endNs - startNs) / 1e9);
        return new Summary(count, achieved, sum / 1000.0 / count, us(latenciesNs, 50), us(latenciesNs, 99),
                us(latenciesNs, 99.9), us(latenciesNs, 100));
    }

    private static double us(long[] samples, double p) {
        return Percentiles.of(samples, samples.length, p) / 1000.0;
    }

    /** The tool's one output line and its parser, which the report uses. */
    record Summary(long records, double recordsPerSec, double avgUs, double p50Us, double p99Us, double p999Us,
                   double maxUs) {
        private static final String N = "([0-9]+(?:\\.[0-9]+)?)";
        private static final Pattern LINE = Pattern.compile("^ack-latency: " + N + " records measured, " + N
                + " records/s, avg " + N + " us, p50 " + N + " us, p99 " + N + " us, p99\\.9 " + N + " us, max " + N
                + " us$");

        String line() {
            return String.format(Locale.ROOT, "ack-latency: %d records measured, %.1f records/s, avg %.1f us, "
                    + "p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us", records, recordsPerSec, avgUs, p50Us,
                    p99Us, p999Us, maxUs);
        }

        static Optional<Summary> parse(java.util.List<String> lines) {
            for (String line : lines) {
                Matcher m = LINE.matcher(line.trim());
                if (m.matches()) {
                    return Optional.of(new Summary((long) Double.parseDouble(m.group(1)), d(m, 2), d(m, 3), d(m, 4),
                            d(m, 5), d(m, 6), d(m, 7)));
                }
            }
            return Optional.empty();
        }

        private static double d(Matcher m, int group) {
            return Double.parseDouble(m.group(group));
        }
    }
}
