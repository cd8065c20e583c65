package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Admin client's topic, config and cluster calls, with the exceptions Kafka defines for each misuse. */
class AdminTest {
    private static final String DEFAULT_RETENTION_MS = "604800000";

    @TempDir
    static Path dir;
    static TestBroker broker;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("num.partitions", "2"));
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void createTopicWithPartitionsAndConfigs() throws Exception {
        create(new NewTopic("created", 3, (short) 1).configs(Map.of("retention.ms", "3600000", "cleanup.policy", "delete")));
        TopicDescription d = describe("created");
        assertThat(d.name()).isEqualTo("created");
        assertThat(d.topicId()).isNotNull().isNotEqualTo(Uuid.ZERO_UUID);
        assertThat(d.isInternal()).isFalse();
        assertThat(d.partitions()).hasSize(3);
        for (int p = 0; p < 3; p++) {
            var info = d.partitions().get(p);
            assertThat(info.partition()).isEqualTo(p);
            assertThat(info.leader().id()).isEqualTo(TestBroker.NODE_ID);
            assertThat(info.replicas()).extracting(Node::id).containsExactly(TestBroker.NODE_ID);
            assertThat(info.isr()).extracting(Node::id).containsExactly(TestBroker.NODE_ID);
        }
        assertThat(topicConfig("created").get("retention.ms").value()).isEqualTo("3600000");
    }

    @Test
    void createTopicWithDefaultPartitionCount() throws Exception {
        create(new NewTopic("defaulted", Optional.empty(), Optional.empty()));
        assertThat(describe("defaulted").partitions()).as("num.partitions=2 on the broker").hasSize(2);
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        admin.createTopics(List.of(new NewTopic("validated", 4, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                .all().get(30, TimeUnit.SECONDS);
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("validated");
        // validateOnly still validates.
        assertThat(cause(admin.createTopics(List.of(new NewTopic("validated", 4, (short) 1)
                        .configs(Map.of("retention.ms", "not-a-number"))), new CreateTopicsOptions().validateOnly(true)).all()))
                .isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void duplicateTopicIsRejected() throws Exception {
        create(new NewTopic("dup", 1, (short) 1));
        assertThat(cause(admin.createTopics(List.of(new NewTopic("dup", 1, (short) 1))).all()))
                .isInstanceOf(TopicExistsException.class);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("invalidNames")
    void invalidTopicNamesAreRejected(String name) throws Exception {
        assertThat(cause(admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all()))
                .isInstanceOf(InvalidTopicException.class);
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(name);
    }

    static List<String> invalidNames() {
        // Kafka's rules: [a-zA-Z0-9._-], at most 249 characters, and not "." or "..".
        return List.of(".", "..", "has space", "slash/name", "star*", "tab\tname", "x".repeat(250));
    }

    @Test
    void legalNamesAtTheLimitsAreAccepted() throws Exception {
        String longest = "y".repeat(249);
        create(new NewTopic(longest, 1, (short) 1));
        create(new NewTopic("Mixed.Case_and-dash.0", 1, (short) 1));
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(longest, "Mixed.Case_and-dash.0");
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap())) {
            assertThat(p.send(new ProducerRecord<>(longest, 0, "k", "v")).get(30, TimeUnit.SECONDS).offset()).isZero();
        }
    }

    @Test
    void replicationBeyondTheClusterSizeIsRejected() throws Exception {
        assertThat(cause(admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3))).all()))
                .isInstanceOf(InvalidReplicationFactorException.class);
        assertThat(cause(admin.createTopics(List.of(new NewTopic("p0", 0, (short) 1))).all()))
                .isInstanceOf(InvalidPartitionsException.class);
        assertThat(cause(admin.createTopics(List.of(new NewTopic("unknown-config", 1, (short) 1)
                .configs(Map.of("no.such.config", "1")))).all()))
                .isInstanceOf(InvalidConfigurationException.class);
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                .doesNotContain("rf3", "p0", "unknown-config");
    }

    @Test
    void describeTopicsByNameAndById() throws Exception {
        create(new NewTopic("by-id", 2, (short) 1));
        Uuid id = describe("by-id").topicId();
        TopicDescription byId = admin.describeTopics(TopicCollection.ofTopicIds(List.of(id)))
                .allTopicIds().get(30, TimeUnit.SECONDS).get(id);
        assertThat(byId.name()).isEqualTo("by-id");
        assertThat(byId.partitions()).hasSize(2);
        assertThat(cause(admin.describeTopics(List.of("no-such-topic")).allTopicNames()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void deleteByNameAndById() throws Exception {
        create(new NewTopic("del-name", 1, (short) 1));
        create(new NewTopic("del-id", 1, (short) 1));
        Uuid id = describe("del-id").topicId();

        admin.deleteTopics(List.of("del-name")).all().get(30, TimeUnit.SECONDS);
        admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all().get(30, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(30), "deleted topics to disappear",
                () -> !admin.listTopics().names().get().contains("del-name")
                        && !admin.listTopics().names().get().contains("del-id"));
        assertThat(cause(admin.deleteTopics(List.of("del-name")).all()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(cause(admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all()))
                .isInstanceOf(UnknownTopicIdException.class);
    }

    @Test
    void aRecreatedTopicStartsEmptyWithANewId() throws Exception {
        String bootstrap = broker.bootstrap();
        create(new NewTopic("again", 1, (short) 1));
        Uuid first = describe("again").topicId();
        try (KafkaProducer<String, String> p = Clients.producer(bootstrap)) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("again", 0, "k", "old-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        admin.deleteTopics(List.of("again")).all().get(30, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(30), "deletion", () -> !admin.listTopics().names().get().contains("again"));
        create(new NewTopic("again", 1, (short) 1));
        assertThat(describe("again").topicId()).isNotEqualTo(first);
        TopicPartition tp = new TopicPartition("again", 0);
        try (var consumer = Clients.consumer(bootstrap)) {
            assertThat(consumer.endOffsets(List.of(tp), Clients.TIMEOUT).get(tp)).as("old data must be gone").isZero();
        }
    }

    @Test
    void createPartitionsIncreasesButNeverDecreases() throws Exception {
        create(new NewTopic("grow", 3, (short) 1));
        admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(5))).all().get(30, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(30), "5 partitions", () -> describe("grow").partitions().size() == 5);
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap())) {
            assertThat(p.send(new ProducerRecord<>("grow", 4, "k", "new partition")).get(30, TimeUnit.SECONDS).offset())
                    .isZero();
        }
        assertThat(cause(admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(2))).all()))
                .isInstanceOf(InvalidPartitionsException.class);
        assertThat(cause(admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(5))).all()))
                .as("same count").isInstanceOf(InvalidPartitionsException.class);
        assertThat(describe("grow").partitions()).hasSize(5);
        assertThat(cause(admin.createPartitions(Map.of("no-such-topic", NewPartitions.increaseTo(5))).all()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void describeTopicConfigsShowsDefaultsAndOverrides() throws Exception {
        create(new NewTopic("cfg-plain", 1, (short) 1));
        create(new NewTopic("cfg-override", 1, (short) 1).configs(Map.of("retention.ms", "86400000")));

        ConfigEntry plain = topicConfig("cfg-plain").get("retention.ms");
        assertThat(plain.value()).isEqualTo(DEFAULT_RETENTION_MS);
        assertThat(plain.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(plain.isDefault()).isTrue();

        ConfigEntry overridden = topicConfig("cfg-override").get("retention.ms");
        assertThat(overridden.value()).isEqualTo("86400000");
        assertThat(overridden.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(overridden.isDefault()).isFalse();
        assertThat(overridden.type()).isEqualTo(ConfigEntry.ConfigType.LONG);
        assertThat(topicConfig("cfg-override").get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(topicConfig("cfg-override").get("cleanup.policy").type()).isEqualTo(ConfigEntry.ConfigType.LIST);
    }

    @Test
    void describeBrokerConfigs() throws Exception {
        ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(TestBroker.NODE_ID));
        Config c = admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS).get(node);
        ConfigEntry partitions = c.get("num.partitions");
        assertThat(partitions).as("num.partitions entry").isNotNull();
        assertThat(partitions.value()).isEqualTo("2");
        assertThat(partitions.source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(c.get("log.dirs").value()).isEqualTo(broker.logDir().toString());
    }

    @Test
    void incrementalAlterConfigsSetsAndDeletes() throws Exception {
        create(new NewTopic("alter", 1, (short) 1));
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "alter");
        alter(topic, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "99999"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000"), AlterConfigOp.OpType.SET)));
        Await.until(Duration.ofSeconds(10), "altered config visible",
                () -> "99999".equals(topicConfig("alter").get("retention.ms").value()));
        ConfigEntry set = topicConfig("alter").get("retention.ms");
        assertThat(set.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        // The new limit is enforced, not just stored.
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap(),
                Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 100_000))) {
            assertThatThrownBy(() -> p.send(new ProducerRecord<>("alter", 0, "k", "x".repeat(5000))).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(RecordTooLargeException.class);
        }

        alter(topic, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE)));
        Await.until(Duration.ofSeconds(10), "deleted override",
                () -> DEFAULT_RETENTION_MS.equals(topicConfig("alter").get("retention.ms").value()));
        assertThat(topicConfig("alter").get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

        assertThat(cause(admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET)))).all()))
                .isInstanceOf(InvalidConfigurationException.class);
        assertThat(topicConfig("alter").get("retention.ms").value()).isEqualTo(DEFAULT_RETENTION_MS);

        ConfigResource missing = new ConfigResource(ConfigResource.Type.TOPIC, "no-such-topic");
        assertThat(cause(admin.incrementalAlterConfigs(Map.of(missing, List.of(new AlterConfigOp(
                new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET)))).all()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void describeCluster() throws Exception {
        DescribeClusterResult r = admin.describeCluster();
        Collection<Node> nodes = r.nodes().get(30, TimeUnit.SECONDS);
        var bound = broker.running().boundAddress();
        assertThat(nodes).hasSize(1);
        Node node = nodes.iterator().next();
        assertThat(node.id()).isEqualTo(TestBroker.NODE_ID);
        assertThat(node.host()).isEqualTo(bound.getHostString());
        assertThat(node.port()).isEqualTo(bound.getPort());
        assertThat(r.controller().get(30, TimeUnit.SECONDS).id()).isEqualTo(TestBroker.NODE_ID);
        String clusterId = r.clusterId().get(30, TimeUnit.SECONDS);
        assertThat(clusterId).isNotBlank();
        // The cluster id is stable: it lives in the metadata log, it is not made up per request.
        assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS)).isEqualTo(clusterId);
    }

    private static void create(NewTopic topic) throws Exception {
        admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    }

    private static TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    }

    private static Config topicConfig(String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
    }

    private static void alter(ConfigResource r, Collection<AlterConfigOp> ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(r, ops)).all().get(30, TimeUnit.SECONDS);
    }

    /** The exception a failed admin future carries (what the caller of {@code get()} sees as the cause). */
    private static Throwable cause(KafkaFuture<?> future) throws InterruptedException {
        try {
            future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("admin call did not complete", e);
        }
        throw new AssertionError("expected the admin call to fail, but it succeeded");
    }
}
