package io.tributary.it.configs;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.Await;
import io.tributary.it.Clients;
import io.tributary.it.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config changes reaching live logs without a restart, seen from clients: a topic's retention.ms and then its
 * segment.bytes, and a dynamic broker default that topics without an override inherit, which also survives a
 * broker restart (it lives in the metadata log, not in server.properties). Records are written with timestamps two
 * hours in the past, so only a retention.ms below that (1 hour here) can delete them; the retention check runs
 * every 300 ms. Segments are 1 MiB, Kafka's smallest allowed size.
 */
class LiveConfigChangeTest {
    private static final int SEGMENT_BYTES = 1024 * 1024;
    private static final String ONE_HOUR_MS = "3600000";
    private static final String VALUE_1K = "c".repeat(1000);
    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");
    private static final ConfigResource THIS_BROKER =
            new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(TestBroker.NODE_ID));

    @TempDir
    static Path dir;
    static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("log.retention.check.interval.ms", "300"));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void retentionThenSegmentBytesTakeEffectOnALiveTopic() throws Exception {
        String topic = "live";
        TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(broker.bootstrap(), topic, 1);
        long twoHoursAgo = System.currentTimeMillis() - 7_200_000;
        produce(topic, 1500, twoHoursAgo);
        assertThat(logSegments(topic)).as("default 1 GiB segments: one segment so far").hasSize(1);

        try (Admin admin = Clients.admin(broker.bootstrap())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            set(admin, resource, "retention.ms", ONE_HOUR_MS);
            // The active segment is never deleted, so nothing can go before the log rolls.
            set(admin, resource, "segment.bytes", Integer.toString(SEGMENT_BYTES));

            produce(topic, 3000, twoHoursAgo);
            produce(topic, 20, System.currentTimeMillis());

            long start = awaitSettledLogStartAbove(admin, tp, 0);
            assertThat(start).as("only the expired records may go").isLessThanOrEqualTo(4500);
            List<ConsumerRecord<String, String>> left = Clients.readAll(broker.bootstrap(), tp);
            assertThat(left).isNotEmpty();
            assertThat(left.get(0).offset()).isEqualTo(start);
            assertThat(left.get(left.size() - 1).offset()).isEqualTo(4519);
        }
        // Segments written after the change rolled at the new size (the first one predates it).
        List<Path> segments = logSegments(topic);
        for (Path segment : segments.subList(0, segments.size() - 1)) {
            assertThat(Files.size(segment)).as(segment.toString()).isLessThanOrEqualTo(SEGMENT_BYTES);
        }
    }

    @Test
    void aDynamicBrokerDefaultReachesTopicsWithoutAnOverrideAndSurvivesARestart() throws Exception {
        Clients.createTopic(broker.bootstrap(), "inherits", 1);
        Clients.createTopic(broker.bootstrap(), "keeps", 1, Map.of("retention.ms", "604800000"));
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            set(admin, CLUSTER_DEFAULT, "log.retention.ms", ONE_HOUR_MS);
            set(admin, THIS_BROKER, "log.segment.bytes", Integer.toString(SEGMENT_BYTES));
        }
        try {
            inheritAndRestart();
        } finally {
            // The other test of this class expects the built-in broker defaults.
            try (Admin admin = Clients.admin(broker.bootstrap())) {
                delete(admin, CLUSTER_DEFAULT, "log.retention.ms");
                delete(admin, THIS_BROKER, "log.segment.bytes");
            }
        }
    }

    private static void inheritAndRestart() throws Exception {
        long twoHoursAgo = System.currentTimeMillis() - 7_200_000;
        for (String topic : List.of("inherits", "keeps")) {
            produce(topic, 3000, twoHoursAgo);
            produce(topic, 20, System.currentTimeMillis());
        }
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            awaitSettledLogStartAbove(admin, new TopicPartition("inherits", 0), 0);
            assertThat(logSegments("keeps").size()).as("the broker segment size applies to both").isGreaterThan(2);
            assertThat(logStart(admin, new TopicPartition("keeps", 0))).as("its own retention.ms wins").isZero();
            assertThat(retentionMs(admin, "inherits").source())
                    .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        }

        broker.restart();

        assertThat(broker.running().logManager().log(new TopicPartition("inherits", 0)).config().retentionMs())
                .isEqualTo(Long.parseLong(ONE_HOUR_MS));
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            ConfigEntry retention = retentionMs(admin, "inherits");
            assertThat(retention.value()).isEqualTo(ONE_HOUR_MS);
            assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            // And a topic created after the restart inherits it too.
            Clients.createTopic(broker.bootstrap(), "after-restart", 1);
            produce("after-restart", 3000, System.currentTimeMillis() - 7_200_000);
            produce("after-restart", 20, System.currentTimeMillis());
            awaitSettledLogStartAbove(admin, new TopicPartition("after-restart", 0), 0);
            assertThat(logStart(admin, new TopicPartition("keeps", 0))).isZero();

            // Removing the default gives topics Kafka's 7 days back.
            delete(admin, CLUSTER_DEFAULT, "log.retention.ms");
            Await.until(Duration.ofSeconds(10), "the default retention back on the live log", () -> broker.running()
                    .logManager().log(new TopicPartition("inherits", 0)).config().retentionMs() == 604_800_000L);
        }
    }

    private static void set(Admin admin, ConfigResource resource, String key, String value) throws Exception {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = Map.of(resource,
                List.of(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)));
        admin.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
    }

    private static void delete(Admin admin, ConfigResource resource, String key) throws Exception {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = Map.of(resource,
                List.of(new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE)));
        admin.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
    }

    private static ConfigEntry retentionMs(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r).get("retention.ms");
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

    private static List<Path> logSegments(String topic) throws IOException {
        try (Stream<Path> files = Files.list(broker.logDir().resolve(topic + "-0"))) {
            return files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
    }

    private static long logStart(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get(30, TimeUnit.SECONDS)
                .offset();
    }

    /** Waits until the log start offset is above {@code offset} and has held still for a second of retention passes. */
    private static long awaitSettledLogStartAbove(Admin admin, TopicPartition tp, long offset) throws Exception {
        long[] seen = {-1, System.nanoTime()};
        Await.until(Duration.ofSeconds(30), "a settled log start offset of " + tp + " above " + offset, () -> {
            long start = logStart(admin, tp);
            if (start != seen[0]) {
                seen[0] = start;
                seen[1] = System.nanoTime();
            }
            return start > offset && System.nanoTime() - seen[1] > TimeUnit.SECONDS.toNanos(1);
        });
        return seen[0];
    }
}
