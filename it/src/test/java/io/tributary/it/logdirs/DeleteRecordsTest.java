package io.tributary.it.logdirs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Clients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DeleteRecords through the real Admin client: the log start moves, whole segments below it go, and consumers
 * that were behind get OFFSET_OUT_OF_RANGE and reset as their auto.offset.reset says.
 */
class DeleteRecordsTest extends BrokerPerClass {
    private static final String TOPIC = "trim";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int RECORDS = 200;

    @BeforeAll
    static void fill() throws Exception {
        // 1 MiB segments (the smallest allowed) of 20 KB records: ~50 records a segment, so a deletion below
        // offset 120 frees two whole segments and cuts into the third.
        Clients.createTopic(broker.bootstrap(), TOPIC, 1, Map.of("segment.bytes", Integer.toString(1024 * 1024)));
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of("linger.ms", 0))) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, value(i))).get();
            }
        }
    }

    @Test
    void deletingMovesTheLogStartDeletesSegmentsAndLaggingConsumersReset() throws Exception {
        int segmentsBefore = segmentFiles();
        assertThat(segmentsBefore).as("segments before").isGreaterThanOrEqualTo(4);
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            long low = admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(120))).lowWatermarks().get(TP)
                    .get().lowWatermark();
            assertThat(low).isEqualTo(120);
            assertThat(admin.listOffsets(Map.of(TP, OffsetSpec.earliest())).partitionResult(TP).get().offset())
                    .isEqualTo(120);
            // Moving backwards is a no-op: the low watermark stays.
            assertThat(admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(50))).lowWatermarks().get(TP)
                    .get().lowWatermark()).isEqualTo(120);
        }
        assertThat(segmentFiles()).as("whole segments below 120 are gone").isLessThan(segmentsBefore);

        // auto.offset.reset=earliest: a consumer at offset 10 is told OFFSET_OUT_OF_RANGE and restarts at 120.
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap())) {
            consumer.assign(List.of(TP));
            consumer.seek(TP, 10);
            List<ConsumerRecord<String, String>> read = readUntil(consumer, RECORDS);
            assertThat(read.get(0).offset()).isEqualTo(120);
            assertThat(read.get(0).value()).isEqualTo(value(120));
            assertThat(read).hasSize(RECORDS - 120);
        }
        // auto.offset.reset=latest: it jumps to the end instead.
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(),
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"))) {
            consumer.assign(List.of(TP));
            consumer.seek(TP, 10);
            consumer.poll(Duration.ofSeconds(2));
            assertThat(consumer.position(TP, Duration.ofSeconds(10))).isEqualTo(RECORDS);
        }
        // auto.offset.reset=none: the application sees the error itself.
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(),
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            consumer.assign(List.of(TP));
            consumer.seek(TP, 10);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 20; i++) {
                    consumer.poll(Duration.ofMillis(500));
                }
            }).isInstanceOf(OffsetOutOfRangeException.class);
        }
    }

    @Test
    void offsetsAboveTheHighWatermarkAreRefusedAndMinusOneMeansTheHighWatermark() throws Exception {
        String topic = "trim-all";
        TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(broker.bootstrap(), topic, 1);
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i)).get();
            }
        }
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            assertThatThrownBy(() -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11))).all().get())
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(org.apache.kafka.common.errors.OffsetOutOfRangeException.class);
            assertThat(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1))).lowWatermarks().get(tp)
                    .get().lowWatermark()).isEqualTo(10);
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset())
                    .isEqualTo(10);
        }
        // Everything was deleted: a consumer from the beginning finds nothing, then reads what comes next.
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap());
             KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap())) {
            producer.send(new ProducerRecord<>(topic, 0, "k", "after")).get();
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> read = readUntil(consumer, 11);
            assertThat(read).extracting(ConsumerRecord::value).containsExactly("after");
        }
    }

    @Test
    void aCompactedTopicRefusesDeleteRecords() throws Exception {
        String topic = "trim-compacted";
        TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(broker.bootstrap(), topic, 1, Map.of("cleanup.policy", "compact"));
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            assertThatThrownBy(() -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(0))).all().get())
                    .cause().isInstanceOf(PolicyViolationException.class);
        }
    }

    private static String value(int i) {
        return "v" + i + ":" + "x".repeat(20_000);
    }

    private static List<ConsumerRecord<String, String>> readUntil(KafkaConsumer<String, String> consumer,
                                                                  long endOffset) {
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        long deadline = System.nanoTime() + Clients.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline
                && (read.isEmpty() || read.get(read.size() - 1).offset() < endOffset - 1)) {
            consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        }
        return read;
    }

    /** Live segment files of the partition (renamed *.deleted files wait for file.delete.delay.ms). */
    private static int segmentFiles() throws Exception {
        Path dir = broker.logDir().resolve(TOPIC + "-0");
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
        }
    }
}
