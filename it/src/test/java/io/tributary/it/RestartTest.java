package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a clean restart must preserve: every record at its offset, topics with their ids and config overrides,
 * and the next offset of each partition. Once in-process (ephemeral ports, new port after the restart) and once
 * as an operator does it: SIGTERM to {@code trib start}, which must exit 0.
 */
class RestartTest {
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 1000;

    @Test
    void inProcessRestartKeepsDataTopicsAndOffsets(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            Clients.createTopic(broker.bootstrap(), "kept", PARTITIONS, Map.of("retention.ms", "7200000"));
            Uuid id = describe(broker.bootstrap()).topicId();
            produce(broker.bootstrap(), 0);

            broker.restart();

            assertThat(Files.exists(broker.logDir().resolve("kept-0"))).isTrue();
            TopicDescription d = describe(broker.bootstrap());
            assertThat(d.topicId()).as("topic id survives").isEqualTo(id);
            assertThat(d.partitions()).hasSize(PARTITIONS);
            try (Admin admin = Clients.admin(broker.bootstrap())) {
                ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "kept");
                assertThat(admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r)
                        .get("retention.ms").value()).isEqualTo("7200000");
            }
            verify(broker.bootstrap(), PER_PARTITION);
            produce(broker.bootstrap(), PER_PARTITION);
            verify(broker.bootstrap(), 2 * PER_PARTITION);

            // A second restart reads what was written after the first one.
            broker.restart();
            verify(broker.bootstrap(), 2 * PER_PARTITION);
        }
    }

    @Test
    void sigtermExitsZeroAndTheProcessRestartsOnTheSameData(@TempDir Path dir) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dir, Map.of())) {
            assertThat(broker.readyLine()).matches(BrokerProcess.READY)
                    .contains("ready on 127.0.0.1:" + broker.port())
                    .contains("(node " + TestBroker.NODE_ID + ", data " + broker.logDir() + ")");
            assertThat(broker.stdout()).as("exactly one line on stdout once ready").hasSize(1);
            // A new cluster serves its id and this node's registration while Raft formats and elects itself.
            assertThat(startedLine(broker, 1)).contains("(new cluster; Raft starting in the background)");
            String clusterId = clusterId(broker.bootstrap());
            Clients.createTopic(broker.bootstrap(), "kept", PARTITIONS);
            produce(broker.bootstrap(), 0);

            assertThat(broker.terminate()).as("exit code after SIGTERM\n%s", broker.stderrTail()).isZero();
            assertThat(broker.logDir().resolve(".kafka_cleanshutdown")).as("clean-shutdown marker").exists();

            broker.launch();
            // A clean restart serves the last metadata image while Raft starts; metadata writes wait for Raft.
            assertThat(startedLine(broker, 2)).contains("(metadata of the last clean shutdown; Raft starting in the background)");
            assertThat(clusterId(broker.bootstrap())).isEqualTo(clusterId);
            Clients.createTopic(broker.bootstrap(), "created-after-restart", 1);
            verify(broker.bootstrap(), PER_PARTITION);
            produce(broker.bootstrap(), PER_PARTITION);
            verify(broker.bootstrap(), 2 * PER_PARTITION);
            assertThat(broker.terminate()).isZero();

            broker.launch();
            assertThat(clusterId(broker.bootstrap())).isEqualTo(clusterId);
            assertThat(describe(broker.bootstrap(), "created-after-restart").partitions()).hasSize(1);
            verify(broker.bootstrap(), 2 * PER_PARTITION);
            assertThat(broker.terminate()).isZero();
        }
    }

    /**
     * A new cluster hands out its id before Raft has committed it. Killed right after its first start, it must come
     * back with the same id (the bootstrap records were durable before they were served) and work.
     */
    @Test
    void aNewClusterKilledRightAfterItsFirstStartKeepsItsId(@TempDir Path dir) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dir, Map.of())) {
            String clusterId = clusterId(broker.bootstrap());
            broker.kill();
            broker.launch();
            assertThat(clusterId(broker.bootstrap())).isEqualTo(clusterId);
            Clients.createTopic(broker.bootstrap(), "kept", PARTITIONS);
            produce(broker.bootstrap(), 0);
            verify(broker.bootstrap(), PER_PARTITION);
            assertThat(broker.terminate()).isZero();
        }
    }

    /**
     * After a fast restart the broker may be serving before Raft runs. If Raft then cannot start (here its port is
     * taken), the broker must not carry on without a metadata quorum: it stops with a non-zero exit and says why.
     */
    @Test
    void aQuorumThatCannotStartAfterAFastRestartStopsTheBroker(@TempDir Path dir) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dir, Map.of())) {
            Clients.createTopic(broker.bootstrap(), "kept", PARTITIONS);
            assertThat(broker.terminate()).isZero();
            assertQuorumFailureStops(broker);
        }
    }

    /** The same on a new cluster, which also serves before Raft runs. */
    @Test
    void aQuorumThatCannotStartOnANewClusterStopsTheBroker(@TempDir Path dir) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dir, Map.of())) {
            assertThat(broker.terminate()).isZero();
            // Back to a new cluster: no data, no metadata log.
            try (var files = Files.walk(broker.logDir())) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            assertQuorumFailureStops(broker);
            assertThat(Files.readString(broker.stderrFile()).lines()
                    .filter(l -> l.startsWith("Started in ") && l.contains("(new cluster;")))
                    .as("both starts served as a new cluster, the second one before its quorum failed").hasSize(2);
        }
    }

    private static void assertQuorumFailureStops(BrokerProcess broker) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", broker.controllerPort()));
            try {
                broker.launch();
            } catch (IllegalStateException failedBeforeReady) {
                // Raft may fail before the broker got as far as its ready line; either way it must stop.
            }
            assertThat(broker.awaitExit(60)).isNotZero();
        }
        assertThat(Files.readString(broker.stderrFile())).contains("metadata quorum");
    }

    /** The {@code n}th "Started in" line on the broker's stderr, waiting for it to be written whole. */
    private static String startedLine(BrokerProcess broker, int n) throws Exception {
        // The broker writes its stderr line just after the stdout ready line.
        Await.until(java.time.Duration.ofSeconds(10), "start #" + n + "'s line on stderr",
                () -> Files.readString(broker.stderrFile()).lines().filter(l -> l.startsWith("Started in ")).count() == n
                        && Files.readString(broker.stderrFile()).endsWith("\n"));
        return Files.readString(broker.stderrFile()).lines().filter(l -> l.startsWith("Started in ")).toList().get(n - 1);
    }

    private static String clusterId(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        }
    }

    /** Writes records {@code from..from+PER_PARTITION-1} to each partition, value "p-i". */
    private static void produce(String bootstrap, int from) throws Exception {
        try (KafkaProducer<String, String> p = Clients.producer(bootstrap)) {
            for (int i = from; i < from + PER_PARTITION; i++) {
                for (int part = 0; part < PARTITIONS; part++) {
                    p.send(new ProducerRecord<>("kept", part, "k" + i, part + "-" + i));
                }
            }
            p.flush();
            // The last send of each partition must have landed at the offset right after what came before.
            for (int part = 0; part < PARTITIONS; part++) {
                long offset = p.send(new ProducerRecord<>("kept", part, "k", "probe")).get(30, TimeUnit.SECONDS).offset();
                assertThat(offset).as("offset after %d records in partition %d", from + PER_PARTITION, part)
                        .isEqualTo(from + PER_PARTITION + from / PER_PARTITION);
            }
        }
    }

    /** Each partition holds blocks of PER_PARTITION records, each block followed by one probe record. */
    private static void verify(String bootstrap, int records) {
        for (int part = 0; part < PARTITIONS; part++) {
            List<ConsumerRecord<String, String>> got = Clients.readAll(bootstrap, new TopicPartition("kept", part));
            int blocks = records / PER_PARTITION;
            assertThat(got).as("partition %d", part).hasSize(records + blocks);
            int k = 0;
            for (int b = 0; b < blocks; b++) {
                for (int i = b * PER_PARTITION; i < (b + 1) * PER_PARTITION; i++, k++) {
                    assertThat(got.get(k).offset()).isEqualTo(k);
                    assertThat(got.get(k).value()).isEqualTo(part + "-" + i);
                }
                assertThat(got.get(k).value()).isEqualTo("probe");
                k++;
            }
        }
    }

    private static TopicDescription describe(String bootstrap, String topic) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        }
    }

    private static TopicDescription describe(String bootstrap) throws Exception {
        return describe(bootstrap, "kept");
    }
}
