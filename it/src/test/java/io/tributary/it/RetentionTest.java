package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time- and size-based retention seen from clients: old segments disappear in the background, the log start
 * offset moves to a segment boundary, and what is left (including everything recent) stays readable from the new
 * start. Segments are 1 MiB, Kafka's smallest allowed size, and the retention check runs every 300 ms.
 */
class RetentionTest {
    private static final int SEGMENT_BYTES = 1024 * 1024;
    private static final String VALUE_1K = "r".repeat(1000);

    @TempDir
    static Path dir;
    static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(dir, Map.of(
                "log.segment.bytes", Integer.toString(SEGMENT_BYTES),
                "log.retention.check.interval.ms", "300"));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void segmentsOlderThanRetentionMsAreDeleted() throws Exception {
        String topic = "retain-time";
        Clients.createTopic(broker.bootstrap(), topic, 1, Map.of("retention.ms", "3600000"));
        long twoHoursAgo = System.currentTimeMillis() - 7_200_000;
        produce(topic, 3000, twoHoursAgo);                 // ~3 MB of expired records: several segments
        produce(topic, 20, System.currentTimeMillis());    // recent records, which must stay

        TopicPartition tp = new TopicPartition(topic, 0);
        long start = awaitLogStartAbove(tp, 0);
        assertRemainingLogReadable(tp, start, 3020);
        assertThat(start).as("only expired data may go").isLessThanOrEqualTo(3000);
    }

    @Test
    void oldestSegmentsGoWhenTheLogExceedsRetentionBytes() throws Exception {
        String topic = "retain-bytes";
        Clients.createTopic(broker.bootstrap(), topic, 1, Map.of("retention.bytes", Integer.toString(SEGMENT_BYTES)));
        produce(topic, 4000, System.currentTimeMillis());

        TopicPartition tp = new TopicPartition(topic, 0);
        long start = awaitLogStartAbove(tp, 0);
        assertRemainingLogReadable(tp, start, 4000);
        long logBytes;
        try (Stream<Path> files = Files.list(broker.logDir().resolve(topic + "-0"))) {
            logBytes = files.filter(f -> f.toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum();
        }
        // Kafka keeps deleting the oldest segment while the rest would still be at least retention.bytes, so
        // what remains is under retention.bytes plus one segment.
        assertThat(logBytes).as("bytes left on disk").isLessThan(2L * SEGMENT_BYTES + 64 * 1024);
    }

    private static void produce(String topic, int count, long timestampMs) throws Exception {
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
            for (int i = 0; i < count; i++) {
                p.send(new ProducerRecord<>(topic, 0, timestampMs + i, "k", VALUE_1K));
            }
            p.flush();
        }
    }

    /**
     * Waits until the log start offset has moved above {@code offset} and then held still for a second (several
     * retention passes), since deletion can happen over more than one pass while the producer is still writing.
     */
    private static long awaitLogStartAbove(TopicPartition tp, long offset) throws Exception {
        long[] seen = {-1, System.nanoTime()};
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            Await.until(Duration.ofSeconds(30), "a settled log start offset of " + tp + " above " + offset, () -> {
                long start = admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp)
                        .get(30, TimeUnit.SECONDS).offset();
                if (start != seen[0]) {
                    seen[0] = start;
                    seen[1] = System.nanoTime();
                }
                return start > offset && System.nanoTime() - seen[1] > TimeUnit.SECONDS.toNanos(1);
            });
        }
        return seen[0];
    }

    private static void assertRemainingLogReadable(TopicPartition tp, long start, long end) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap())) {
            assertThat(consumer.beginningOffsets(List.of(tp), Clients.TIMEOUT).get(tp)).isEqualTo(start);
            assertThat(consumer.endOffsets(List.of(tp), Clients.TIMEOUT).get(tp)).isEqualTo(end);
            consumer.assign(List.of(tp));
            // Offset 0 is gone: auto.offset.reset=earliest must land on the new log start.
            consumer.seek(tp, 0);
            long next = start;
            long deadline = System.nanoTime() + Clients.TIMEOUT.toNanos();
            while (next < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    assertThat(r.offset()).isEqualTo(next);
                    assertThat(r.value()).isEqualTo(VALUE_1K);
                    next++;
                }
            }
            assertThat(next).as("read up to").isEqualTo(end);
        }
    }
}
