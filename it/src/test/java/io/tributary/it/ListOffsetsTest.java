package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ListOffsets against records whose timestamps are known and deliberately not monotonic, so "max timestamp" and
 * "first offset at or after T" differ from "last offset". The same five records are written once as one batch per
 * record (the time index answers) and once as a single batch (the broker must look inside the batch).
 */
class ListOffsetsTest {
    /** Timestamp offsets from the base: record 2 carries the maximum, records 3 and 4 go back in time. */
    private static final long[] DELTAS_MS = {1000, 2000, 5000, 3000, 4000};

    @TempDir
    static Path dir;
    static TestBroker broker;
    static long baseMs;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(dir);
        baseMs = System.currentTimeMillis() - 3_600_000;
        Clients.createTopic(broker.bootstrap(), "ts", 2);
        // Partition 0: one batch per record (linger 0, each send awaited).
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap())) {
            for (int i = 0; i < DELTAS_MS.length; i++) {
                p.send(new ProducerRecord<>("ts", 0, baseMs + DELTAS_MS[i], "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        // Partition 1: all five records in one batch (long linger, one flush).
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 60_000))) {
            for (int i = 0; i < DELTAS_MS.length; i++) {
                p.send(new ProducerRecord<>("ts", 1, baseMs + DELTAS_MS[i], "k" + i, "v" + i));
            }
            p.flush();
        }
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @ParameterizedTest(name = "partition {0}")
    @ValueSource(ints = {0, 1})
    void adminListOffsets(int partition) throws Exception {
        TopicPartition tp = new TopicPartition("ts", partition);
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            assertThat(list(admin, tp, OffsetSpec.earliest()).offset()).isZero();
            assertThat(list(admin, tp, OffsetSpec.latest()).offset()).isEqualTo(5);

            ListOffsetsResultInfo max = list(admin, tp, OffsetSpec.maxTimestamp());
            assertThat(max.offset()).as("offset of the record with the largest timestamp").isEqualTo(2);
            assertThat(max.timestamp()).isEqualTo(baseMs + 5000);

            // The first offset whose timestamp is at or after the target.
            assertForTimestamp(admin, tp, baseMs, 0, baseMs + 1000);
            assertForTimestamp(admin, tp, baseMs + 1000, 0, baseMs + 1000);
            assertForTimestamp(admin, tp, baseMs + 1001, 1, baseMs + 2000);
            assertForTimestamp(admin, tp, baseMs + 2500, 2, baseMs + 5000);
            assertForTimestamp(admin, tp, baseMs + 4500, 2, baseMs + 5000);
            assertForTimestamp(admin, tp, baseMs + 5000, 2, baseMs + 5000);
            ListOffsetsResultInfo none = list(admin, tp, OffsetSpec.forTimestamp(baseMs + 5001));
            assertThat(none.offset()).as("no record at or after the target").isEqualTo(-1);
        }
    }

    @ParameterizedTest(name = "partition {0}")
    @ValueSource(ints = {0, 1})
    void consumerOffsetsForTimes(int partition) {
        TopicPartition tp = new TopicPartition("ts", partition);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap())) {
            Map<TopicPartition, Long> query = new HashMap<>();
            query.put(tp, baseMs + 1500);
            OffsetAndTimestamp found = consumer.offsetsForTimes(query, Clients.TIMEOUT).get(tp);
            assertThat(found.offset()).isEqualTo(1);
            assertThat(found.timestamp()).isEqualTo(baseMs + 2000);

            query.put(tp, baseMs + 3500);
            found = consumer.offsetsForTimes(query, Clients.TIMEOUT).get(tp);
            assertThat(found.offset()).isEqualTo(2);
            assertThat(found.timestamp()).isEqualTo(baseMs + 5000);

            query.put(tp, baseMs + 9999);
            assertThat(consumer.offsetsForTimes(query, Clients.TIMEOUT).get(tp)).isNull();

            assertThat(consumer.beginningOffsets(List.of(tp), Clients.TIMEOUT).get(tp)).isZero();
            assertThat(consumer.endOffsets(List.of(tp), Clients.TIMEOUT).get(tp)).isEqualTo(5);
        }
    }

    @Test
    void logAppendTimeTopicsStampRecordsWithBrokerTime() throws Exception {
        String topic = "append-time";
        Clients.createTopic(broker.bootstrap(), topic, 1, Map.of("message.timestamp.type", "LogAppendTime"));
        long before = System.currentTimeMillis();
        RecordMetadata md;
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap())) {
            md = p.send(new ProducerRecord<>(topic, 0, 42L, "k", "v")).get(30, TimeUnit.SECONDS);
        }
        long after = System.currentTimeMillis();
        assertThat(md.timestamp()).as("timestamp in the produce response").isBetween(before, after);
        ConsumerRecord<String, String> r = Clients.readAll(broker.bootstrap(), new TopicPartition(topic, 0)).get(0);
        assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(r.timestamp()).isEqualTo(md.timestamp());
    }

    private static void assertForTimestamp(Admin admin, TopicPartition tp, long targetMs, long offset, long timestampMs)
            throws Exception {
        ListOffsetsResultInfo info = list(admin, tp, OffsetSpec.forTimestamp(targetMs));
        assertThat(info.offset()).as("offset for timestamp base+%d", targetMs - baseMs).isEqualTo(offset);
        assertThat(info.timestamp()).as("timestamp for target base+%d", targetMs - baseMs).isEqualTo(timestampMs);
    }

    private static ListOffsetsResultInfo list(Admin admin, TopicPartition tp, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get(30, TimeUnit.SECONDS);
    }
}
