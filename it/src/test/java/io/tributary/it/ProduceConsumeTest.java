package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The main promise: whatever a stock Kafka producer writes, a stock consumer reads back byte for byte, in order,
 * for every compression codec the clients support. Each codec gets its own six-partition topic; record content
 * comes from {@link RecordPattern}, so every key, value, header and timestamp is checked without keeping the
 * records in memory.
 *
 * <p>Volume: a million records per codec (about 10 s per codec on 2 cores, so the class stays well inside its
 * 3-minute budget); they span many 4 MiB segments, so fetches cross segment boundaries and use the indexes.
 * {@code -Dtrib.slow=true} writes five million per codec.
 */
class ProduceConsumeTest {
    private static final int PARTITIONS = 6;
    private static final boolean SLOW = Boolean.getBoolean("trib.slow");

    @TempDir
    static Path dir;
    static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        // Small segments so the million records span many segments and fetches cross segment boundaries.
        broker = TestBroker.start(dir, Map.of("log.segment.bytes", Integer.toString(4 * 1024 * 1024)));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @ParameterizedTest(name = "compression={0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void everyRecordComesBackExactlyInOrder(String compression) throws Exception {
        long count = SLOW ? 5_000_000 : 1_000_000;
        String topic = "pc-" + compression;
        Clients.createTopic(broker.bootstrap(), topic, PARTITIONS);
        RecordPattern pattern = new RecordPattern(PARTITIONS, System.currentTimeMillis() - 2 * count);

        long t0 = System.nanoTime();
        produce(topic, compression, count, pattern);
        long t1 = System.nanoTime();
        consumeAndVerify(topic, count, pattern);
        long t2 = System.nanoTime();
        System.out.printf("ProduceConsumeTest %s: %,d records, produce %d ms, consume+verify %d ms%n",
                compression, count, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }

    private static void produce(String topic, String compression, long count, RecordPattern pattern) {
        AtomicReference<Exception> firstError = new AtomicReference<>();
        Map<String, Object> props = Clients.producerProps(broker.bootstrap(), Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, compression,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000));
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < count && firstError.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, pattern.partitionOf(i), pattern.timestamp(i),
                        pattern.key(i), pattern.value(i), pattern.headers(i)), (md, e) -> {
                    if (e != null) {
                        firstError.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        assertThat(firstError.get()).as("first failed send").isNull();
    }

    private static void consumeAndVerify(String topic, long count, RecordPattern pattern) {
        Map<String, Object> props = Clients.consumerProps(broker.bootstrap(), Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20_000,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024,
                ConsumerConfig.CHECK_CRCS_CONFIG, true));
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Clients.TIMEOUT);
            for (TopicPartition tp : tps) {
                long expected = count / PARTITIONS + (tp.partition() < count % PARTITIONS ? 1 : 0);
                assertThat(ends.get(tp)).as("log end offset of %s", tp).isEqualTo(expected);
            }
            long[] next = new long[PARTITIONS];
            long seen = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (seen < count) {
                if (System.nanoTime() > deadline) {
                    fail("consumed only %d of %d records; positions %s", seen, count, Arrays.toString(next));
                }
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    int p = r.partition();
                    if (r.offset() != next[p]) {
                        fail("partition %d: expected offset %d, got %d", p, next[p], r.offset());
                    }
                    verify(pattern, r);
                    next[p]++;
                    seen++;
                }
            }
            for (TopicPartition tp : tps) {
                assertThat(next[tp.partition()]).as("records read from %s", tp).isEqualTo(ends.get(tp));
            }
            assertThat(consumer.poll(Duration.ofMillis(200)).count()).as("records past the end").isZero();
            seekIntoTheMiddle(consumer, tps, ends, pattern);
        }
    }

    /**
     * Seeks land on the exact record even inside a compressed batch (the broker returns the whole batch from its
     * start, the consumer skips what comes before the position) and anywhere in a segment (offset index lookups).
     */
    private static void seekIntoTheMiddle(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> tps,
                                          Map<TopicPartition, Long> ends, RecordPattern pattern) {
        for (TopicPartition tp : tps) {
            long end = ends.get(tp);
            for (long target : new long[] {0, 1, end / 3 + 7, end / 2 + 13, end - 1}) {
                consumer.seek(tp, target);
                ConsumerRecord<byte[], byte[]> first = null;
                long deadline = System.nanoTime() + Clients.TIMEOUT.toNanos();
                while (first == null && System.nanoTime() < deadline) {
                    List<ConsumerRecord<byte[], byte[]>> got = consumer.poll(Duration.ofMillis(200)).records(tp);
                    first = got.isEmpty() ? null : got.get(0);
                }
                assertThat(first).as("record after seeking %s to %d", tp, target).isNotNull();
                assertThat(first.offset()).as("first offset after seeking %s to %d", tp, target).isEqualTo(target);
                verify(pattern, first);
            }
            consumer.pause(List.of(tp)); // one partition at a time, so polls return the partition just sought
        }
    }

    private static void verify(RecordPattern pattern, ConsumerRecord<byte[], byte[]> r) {
        long i = pattern.indexAt(r.partition(), r.offset());
        String where = r.topic() + "-" + r.partition() + "@" + r.offset() + " (record " + i + ")";
        if (!Arrays.equals(r.key(), pattern.key(i))) {
            fail("%s: key %s, expected %s", where, Arrays.toString(r.key()), Arrays.toString(pattern.key(i)));
        }
        if (!Arrays.equals(r.value(), pattern.value(i))) {
            fail("%s: value %s, expected %s", where, new String(r.value()), new String(pattern.value(i)));
        }
        if (r.timestamp() != pattern.timestamp(i) || r.timestampType() != TimestampType.CREATE_TIME) {
            fail("%s: timestamp %d %s, expected %d CreateTime", where, r.timestamp(), r.timestampType(),
                    pattern.timestamp(i));
        }
        String headerProblem = pattern.headerMismatch(i, r.headers());
        if (headerProblem != null) {
            fail("%s: %s", where, headerProblem);
        }
    }
}
