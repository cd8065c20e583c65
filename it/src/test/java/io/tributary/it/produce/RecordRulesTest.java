package io.tributary.it.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Clients;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;

/**
 * Topic-level produce rules that look inside batches, exercised with real producers and consumers:
 * {@code compression.type} makes the broker store its own codec whatever the producer used, and a compacted topic
 * refuses records without a key. What is stored is checked in the segment files themselves.
 */
class RecordRulesTest extends BrokerPerClass {
    private static final long TIMESTAMP_MS = 1_700_000_000_000L;

    @Test
    void gzipTopicStoresGzipWhateverTheProducerSent() throws Exception {
        Clients.createTopic(broker.bootstrap(), "zipped", 1, Map.of("compression.type", "gzip"));
        List<ProducerRecord<String, String>> lz4 = records("zipped", "lz4", 25);
        List<ProducerRecord<String, String>> plain = records("zipped", "plain", 25);
        send(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4", ProducerConfig.LINGER_MS_CONFIG, 50), lz4);
        send(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"), plain);

        List<MutableRecordBatch> stored = storedBatches("zipped");
        assertThat(stored).isNotEmpty();
        assertThat(stored).extracting(MutableRecordBatch::compressionType).containsOnly(CompressionType.GZIP);
        assertThat(stored.stream().mapToLong(b -> b.countOrNull()).sum()).isEqualTo(50);

        List<ProducerRecord<String, String>> all = new ArrayList<>(lz4);
        all.addAll(plain);
        assertReadBackIntact("zipped", all);
    }

    /** compression.zstd.level (KIP-390) is the level the broker re-encodes with. */
    @Test
    void theTopicsCompressionLevelIsTheOneTheBrokerCompressesWith() throws Exception {
        Map<String, Long> storedBytes = new java.util.HashMap<>();
        for (String level : List.of("1", "19")) {
            String topic = "zstd-level-" + level;
            Clients.createTopic(broker.bootstrap(), topic, 1, Map.of("compression.type", "zstd",
                    "compression.zstd.level", level));
            List<ProducerRecord<String, String>> same = records(topic, "plain", 120);
            // One batch per topic: everything is sent before the flush, and nothing lingers out on its own.
            send(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none", ProducerConfig.LINGER_MS_CONFIG, 60_000,
                    ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20), same);
            List<MutableRecordBatch> stored = storedBatches(topic);
            assertThat(stored).hasSize(1).extracting(MutableRecordBatch::compressionType)
                    .containsOnly(CompressionType.ZSTD);
            storedBytes.put(level, (long) stored.get(0).sizeInBytes());
            assertReadBackIntact(topic, same);
        }
        assertThat(storedBytes.get("19")).as("stored bytes at level 19 vs 1: %s", storedBytes)
                .isLessThan(storedBytes.get("1"));
    }

    @Test
    void uncompressedTopicStoresZstdBatchesDecompressed() throws Exception {
        Clients.createTopic(broker.bootstrap(), "unzipped", 1, Map.of("compression.type", "uncompressed"));
        List<ProducerRecord<String, String>> zstd = records("unzipped", "zstd", 40);
        send(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd", ProducerConfig.LINGER_MS_CONFIG, 50), zstd);

        List<MutableRecordBatch> stored = storedBatches("unzipped");
        assertThat(stored).extracting(MutableRecordBatch::compressionType).containsOnly(CompressionType.NONE);
        assertThat(stored.stream().mapToLong(b -> b.countOrNull()).sum()).isEqualTo(40);
        assertReadBackIntact("unzipped", zstd);
    }

    @Test
    void compactedTopicRejectsRecordsWithoutAKey() throws Exception {
        Clients.createTopic(broker.bootstrap(), "keyed", 1, Map.of("cleanup.policy", "compact"));
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(),
                Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "snappy", ProducerConfig.LINGER_MS_CONFIG, 0))) {
            assertThat(producer.send(new ProducerRecord<>("keyed", "a", "1")).get(30, TimeUnit.SECONDS).offset())
                    .isZero();

            Future<RecordMetadata> keyless = producer.send(new ProducerRecord<>("keyed", null, "no key"));
            assertThatThrownBy(() -> keyless.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("Compacted topic keyed cannot accept a record without a key");

            assertThat(producer.send(new ProducerRecord<>("keyed", "b", "2")).get(30, TimeUnit.SECONDS).offset())
                    .as("the producer goes on after a rejected record").isEqualTo(1);
        }

        // One batch mixing both: only the keyless record is named; its batch-mates fail for its sake (KIP-467).
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 60_000, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20))) {
            Future<RecordMetadata> keyed = producer.send(new ProducerRecord<>("keyed", 0, "c", "3"));
            Future<RecordMetadata> keyless = producer.send(new ProducerRecord<>("keyed", 0, null, "no key"));
            producer.flush();
            assertThatThrownBy(() -> keyless.get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("cannot accept a record without a key");
            assertThatThrownBy(() -> keyed.get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(KafkaException.class)
                    .isNotInstanceOf(InvalidRecordException.class);
        }

        List<ConsumerRecord<String, String>> read = Clients.readAll(broker.bootstrap(), new TopicPartition("keyed", 0));
        assertThat(read).extracting(ConsumerRecord::key).containsExactly("a", "b");
        assertThat(read).extracting(ConsumerRecord::offset).containsExactly(0L, 1L);
    }

    /** {@code count} records with keys, distinct values, fixed timestamps and a header naming the producer. */
    private static List<ProducerRecord<String, String>> records(String topic, String tag, int count) {
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<Header> headers = List.of(new RecordHeader("from", tag.getBytes(StandardCharsets.UTF_8)));
            out.add(new ProducerRecord<>(topic, 0, TIMESTAMP_MS + i, i % 5 == 4 ? null : tag + "-k" + i,
                    tag + "-value-" + i + "-" + "x".repeat(i), headers));
        }
        return out;
    }

    private static void send(Map<String, Object> overrides, List<ProducerRecord<String, String>> records)
            throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), overrides)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ProducerRecord<String, String> r : records) {
                sent.add(producer.send(r));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Every batch of partition 0 of {@code topic}, read from its segment files. */
    private static List<MutableRecordBatch> storedBatches(String topic) throws Exception {
        Path partitionDir = broker.logDir().resolve(topic + "-0");
        List<Path> logs;
        try (Stream<Path> files = Files.list(partitionDir)) {
            logs = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        List<MutableRecordBatch> batches = new ArrayList<>();
        for (Path log : logs) {
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(log)))
                    .batches()) {
                batch.ensureValid();
                batches.add(batch);
            }
        }
        return batches;
    }

    private static void assertReadBackIntact(String topic, List<ProducerRecord<String, String>> sent) {
        List<ConsumerRecord<String, String>> read = Clients.readAll(broker.bootstrap(), new TopicPartition(topic, 0));
        assertThat(read).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            ProducerRecord<String, String> expected = sent.get(i);
            ConsumerRecord<String, String> actual = read.get(i);
            assertThat(actual.offset()).isEqualTo(i);
            assertThat(actual.key()).isEqualTo(expected.key());
            assertThat(actual.value()).isEqualTo(expected.value());
            assertThat(actual.timestamp()).isEqualTo(expected.timestamp());
            assertThat(actual.headers().toArray()).containsExactly(expected.headers().toArray());
        }
    }
}
