package io.tributary.bench.harness;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Fills a compacted topic for the log cleaner benchmark: N records whose keys are drawn uniformly from a key space
 * much smaller than N, so most records end up superseded by a later one with the same key.
 *
 * <p>With keys drawn uniformly from K = N / 10, practically every key occurs (1 - e^-10 of them) and about 90% of
 * the records are obsolete: the cleaner reads everything and keeps about a tenth. The sequence comes from a fixed
 * seed, so both brokers get the same records in the same order.
 *
 * <p>Values are text made of a small vocabulary of random 16-byte words: like real payloads, lz4 finds matches
 * in them (a run with {@code --compression lz4} then measures the cleaner decompressing and recompressing),
 * whereas purely random bytes would not compress at all.
 *
 * <p>Usage: {@code CompactionLoad --bootstrap-server HOST:PORT --topic T --records N --keys K --value-bytes V
 * [--compression none|lz4|...] [--seed S]}. Prints one summary line.
 */
public final class CompactionLoad {

    private static final int WORD_BYTES = 16;
    private static final int VOCABULARY_WORDS = 256;
    private static final int VALUE_POOL = 1024;

    private CompactionLoad() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = null;
        String topic = null;
        long records = -1;
        int keys = -1;
        int valueBytes = 1024;
        String compression = "none";
        long seed = 20261122L;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap-server" -> bootstrap = args[++i];
                case "--topic" -> topic = args[++i];
                case "--records" -> records = Long.parseLong(args[++i]);
                case "--keys" -> keys = Integer.parseInt(args[++i]);
                case "--value-bytes" -> valueBytes = Integer.parseInt(args[++i]);
                case "--compression" -> compression = args[++i];
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (bootstrap == null || topic == null || records < 1 || keys < 1 || valueBytes < 1) {
            throw new IllegalArgumentException("usage: CompactionLoad --bootstrap-server HOST:PORT --topic T"
                    + " --records N --keys K --value-bytes V [--compression C] [--seed S]");
        }
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] values = valuePool(random, valueBytes);
        BitSet seen = new BitSet(keys);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config(bootstrap, compression))) {
            for (long n = 0; n < records && failure.get() == null; n++) {
                int key = random.nextInt(keys);
                seen.set(key);
                producer.send(new ProducerRecord<>(topic, key(key), values[random.nextInt(VALUE_POOL)]),
                        (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing to " + topic + " failed", failure.get());
        }
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("sent %d records (%d distinct keys of %d, %d-byte values, compression %s) in %d ms%n",
                records, seen.cardinality(), keys, valueBytes, compression, elapsedMs);
    }

    private static Properties config(String bootstrap, String compression) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-compaction-load");
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return config;
    }

    /** Fixed width, so every record has the same size whatever its key. */
    static byte[] key(int key) {
        return String.format("key-%010d", key).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[][] valuePool(SplittableRandom random, int valueBytes) {
        byte[][] words = new byte[VOCABULARY_WORDS][WORD_BYTES];
        for (byte[] word : words) {
            for (int i = 0; i < word.length; i++) {
                word[i] = (byte) ('a' + random.nextInt(26));
            }
            word[word.length - 1] = ' ';
        }
        byte[][] pool = new byte[VALUE_POOL][valueBytes];
        for (byte[] value : pool) {
            for (int at = 0; at < valueBytes; at += WORD_BYTES) {
                byte[] word = words[random.nextInt(VOCABULARY_WORDS)];
                System.arraycopy(word, 0, value, at, Math.min(WORD_BYTES, valueBytes - at));
            }
        }
        return pool;
    }
}
