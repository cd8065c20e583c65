package io.tributary.it.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.Await;
import io.tributary.it.Clients;
import io.tributary.it.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compacted topic used as a table, through real clients: a producer updates 300 keys many times over and
 * deletes some of them; the background cleaner then leaves exactly the latest value of every live key, at the
 * offset the producer was told, and the deleted keys disappear once their tombstones have expired. A consumer
 * reading while the cleaner works only ever sees increasing offsets, and the cleaned log survives a restart.
 */
class CompactionTest {
    private static final String TOPIC = "table";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int KEYS = 300;
    private static final int UPDATES = 12;
    private static final int DELETED = 30;
    /** Values are random text, so that lz4 batches still fill several 1 MiB segments. */
    private final java.util.Random random = new java.util.Random(42);

    @TempDir
    Path dir;
    private TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("log.cleaner.backoff.ms", "100",
                "log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024)));
        Clients.createTopic(broker.bootstrap(), TOPIC, 1, Map.of("cleanup.policy", "compact",
                "segment.bytes", Integer.toString(1024 * 1024), "min.cleanable.dirty.ratio", "0.01",
                "delete.retention.ms", "0"));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void theCleanerLeavesTheLatestValueOfEveryLiveKeyAtItsOriginalOffset() throws Exception {
        Map<String, Long> latestOffset = new HashMap<>();
        Map<String, String> latestValue = new HashMap<>();
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"))) {
            for (int round = 0; round < UPDATES; round++) {
                List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
                List<String> keys = new ArrayList<>();
                for (int k = 0; k < KEYS; k++) {
                    String key = "key-" + k;
                    String value = round + ":" + randomText(random, 1000);
                    boolean delete = round == UPDATES - 1 && k < DELETED;
                    sent.add(producer.send(new ProducerRecord<>(TOPIC, key, delete ? null : value)));
                    keys.add(key);
                    if (delete) {
                        latestValue.remove(key);
                    } else {
                        latestValue.put(key, value);
                    }
                }
                for (int i = 0; i < sent.size(); i++) {
                    latestOffset.put(keys.get(i), sent.get(i).get().offset());
                }
            }
            // Push every real key out of the active segment, which is never cleaned.
            for (int i = 0; i < 1500; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "filler-" + (i % 10), randomText(random, 1000)));
            }
            producer.flush();
        }
        long endBefore;
        List<Long> seenWhileCleaning = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap())) {
            endBefore = consumer.endOffsets(List.of(TP)).get(TP);
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            // A reader racing the cleaner: offsets only go up, whatever the cleaner swaps underneath.
            while (consumer.position(TP) < endBefore) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seenWhileCleaning.add(r.offset());
                }
            }
        }
        assertThat(seenWhileCleaning).isSorted().doesNotHaveDuplicates();

        try {
            Await.until(Duration.ofSeconds(60), "the cleaner leaves one record per live key and drops the deleted ones",
                    () -> isCompacted(readRealKeys(), latestOffset, latestValue));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last read: " + summary(readRealKeys()) + "; files: "
                    + segmentFiles(), e);
        }
        assertThat(readRealKeys()).hasSize(KEYS - DELETED);

        broker.restart();
        List<ConsumerRecord<String, String>> afterRestart = readRealKeys();
        assertThat(isCompacted(afterRestart, latestOffset, latestValue)).as("cleaned log after a restart").isTrue();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap())) {
            assertThat(consumer.endOffsets(List.of(TP)).get(TP)).as("compaction never moves the end").isEqualTo(endBefore);
            assertThat(consumer.beginningOffsets(List.of(TP)).get(TP)).isZero();
        }
    }

    private String segmentFiles() throws java.io.IOException {
        try (var files = java.nio.file.Files.list(broker.logDir().resolve(TP.toString()))) {
            return files.map(f -> f.getFileName() + "=" + f.toFile().length()).sorted().toList().toString();
        }
    }

    private static String randomText(java.util.Random random, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) ('!' + random.nextInt(94)));
        }
        return b.toString();
    }

    private static String summary(List<ConsumerRecord<String, String>> records) {
        Map<String, Integer> copies = new HashMap<>();
        int tombstones = 0;
        for (ConsumerRecord<String, String> r : records) {
            copies.merge(r.key(), 1, Integer::sum);
            tombstones += r.value() == null ? 1 : 0;
        }
        long duplicated = copies.values().stream().filter(c -> c > 1).count();
        return records.size() + " records, " + copies.size() + " keys, " + duplicated + " keys with copies, "
                + tombstones + " tombstones, offsets " + (records.isEmpty() ? "-" : records.get(0).offset() + ".."
                + records.get(records.size() - 1).offset());
    }

    private List<ConsumerRecord<String, String>> readRealKeys() {
        return Clients.readAll(broker.bootstrap(), TP).stream().filter(r -> r.key().startsWith("key-")).toList();
    }

    /** Exactly one record per live key, holding its latest value at the offset it was written; no deleted key. */
    private static boolean isCompacted(List<ConsumerRecord<String, String>> records, Map<String, Long> latestOffset,
                                       Map<String, String> latestValue) {
        Map<String, ConsumerRecord<String, String>> byKey = new HashMap<>();
        long previous = -1;
        for (ConsumerRecord<String, String> r : records) {
            assertThat(r.offset()).as("offsets increase").isGreaterThan(previous);
            previous = r.offset();
            if (byKey.put(r.key(), r) != null) {
                return false;
            }
        }
        if (!byKey.keySet().equals(latestValue.keySet())) {
            return false;
        }
        for (ConsumerRecord<String, String> r : byKey.values()) {
            assertThat(r.value()).as(r.key()).isEqualTo(latestValue.get(r.key()));
            assertThat(r.offset()).as(r.key()).isEqualTo(latestOffset.get(r.key()));
        }
        return true;
    }
}
