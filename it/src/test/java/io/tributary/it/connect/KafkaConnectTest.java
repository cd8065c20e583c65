package io.tributary.it.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.Await;
import io.tributary.it.BrokerPerClass;
import io.tributary.it.Clients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Connect in distributed mode against Tributary: the worker creates its compacted internal topics, forms its
 * group over the classic protocol (protocol type "connect") and leads it, and file connectors created through its
 * REST API copy a file into a topic and back out to another file. A second worker started on the same topics (a
 * restart) finds the connectors in the config topic, resumes the source from the offset in the offsets topic and
 * the sink from its group's committed offsets, so every line arrives exactly once on both sides.
 */
class KafkaConnectTest extends BrokerPerClass {
    private static final String CLUSTER = "tributary-connect";
    private static final String TOPIC = "connect-lines";
    private static final String SOURCE = "file-source";
    private static final String SINK = "file-sink";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path files;

    @Test
    void fileConnectorsRunOnADistributedWorkerAndSurviveItsRestart() throws Exception {
        Path input = files.resolve("input.txt");
        Path output = files.resolve("output.txt");
        Files.write(input, lines(0, 200), StandardCharsets.UTF_8);
        Map<String, String> source = Map.of(
                "connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "tasks.max", "1", "file", input.toString(), "topic", TOPIC);
        Map<String, String> sink = Map.of(
                "connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector",
                "tasks.max", "1", "file", output.toString(), "topics", TOPIC);
        Map<String, String> settings = ConnectWorker.settings(broker.bootstrap(), CLUSTER);

        try (ConnectWorker worker = ConnectWorker.start(settings)) {
            ConnectRest rest = new ConnectRest(worker.restUrl());
            assertInternalTopicsCompacted();
            awaitLeadership(worker);

            create(rest, SOURCE, source);
            awaitRunning(worker, rest, SOURCE);
            assertThat(rest.config(SOURCE)).isEqualTo(named(source, SOURCE));
            assertThat(awaitTopicLines(200)).containsExactlyElementsOf(lines(0, 200));

            create(rest, SINK, sink);
            awaitRunning(worker, rest, SINK);
            awaitFileLines(worker, output, lines(0, 200));
        }

        assertThat(configTopicKeys()).as("records in %s-configs", CLUSTER)
                .contains("connector-" + SOURCE, "connector-" + SINK, "task-" + SOURCE + "-0", "commit-" + SOURCE);

        try (ConnectWorker worker = ConnectWorker.start(settings)) {
            ConnectRest rest = new ConnectRest(worker.restUrl());
            // Configs are served only once the restarted worker has read the config topic and joined the group.
            Await.until(WAIT, "the restarted worker to list both connectors", () -> {
                assertNoExit(worker);
                ConnectRest.Reply r = rest.get("/connectors");
                return r.ok() && r.body().size() == 2;
            });
            assertThat(rest.config(SOURCE)).isEqualTo(named(source, SOURCE));
            assertThat(rest.config(SINK)).isEqualTo(named(sink, SINK));
            awaitLeadership(worker);
            awaitRunning(worker, rest, SOURCE);
            awaitRunning(worker, rest, SINK);

            Files.write(input, lines(200, 300), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            assertThat(awaitTopicLines(300)).as("lines copied before the restart must not be copied again")
                    .containsExactlyElementsOf(lines(0, 300));
            awaitFileLines(worker, output, lines(0, 300));
        }
    }

    /** Connect refuses to start unless its topics are compacted; check what the broker reports, too. */
    private static void assertInternalTopicsCompacted() throws Exception {
        Map<String, Integer> partitions = Map.of(CLUSTER + "-configs", 1, CLUSTER + "-offsets", 25,
                CLUSTER + "-status", 5);
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            Map<String, TopicDescription> described = admin.describeTopics(partitions.keySet()).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            List<ConfigResource> resources = partitions.keySet().stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            partitions.forEach((topic, count) -> {
                assertThat(described.get(topic).partitions()).as("partitions of %s", topic).hasSize(count);
                Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
                assertThat(c.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).as("cleanup.policy of %s", topic)
                        .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            });
        }
    }

    /**
     * The worker is the only member of a stable "connect" group, and the assignment the broker handed out (from
     * the leader's SyncGroup) names this member, at this worker's URL, as the leader.
     */
    private static void awaitLeadership(ConnectWorker worker) throws Exception {
        AtomicReference<DescribedGroup> seen = new AtomicReference<>();
        Await.until(WAIT, "a stable Connect group with one member", () -> {
            assertNoExit(worker);
            DescribedGroup g = DescribeGroup.describe(broker.bootstrap(), CLUSTER);
            seen.set(g);
            return g.groupState().equals("Stable") && g.members().size() == 1
                    && g.members().get(0).memberAssignment().length > 0;
        });
        DescribedGroup group = seen.get();
        assertThat(group.protocolType()).isEqualTo("connect");
        assertThat(group.protocolData()).as("Connect's default sub-protocol").isEqualTo("sessioned");
        DescribedGroupMember member = group.members().get(0);
        ConnectWorker.Assignment assignment = worker.decodeAssignment(member.memberAssignment());
        assertThat(assignment.leader()).isEqualTo(member.memberId());
        assertThat(assignment.leaderUrl()).isEqualTo(worker.restUrl().toString());
    }

    private static void create(ConnectRest rest, String name, Map<String, String> config) throws Exception {
        ConnectRest.Reply created = rest.createConnector(name, config);
        assertThat(created.status()).as("POST /connectors %s: %s", name, created.body()).isEqualTo(201);
    }

    private static void awaitRunning(ConnectWorker worker, ConnectRest rest, String name) throws Exception {
        Await.until(WAIT, name + " and its task RUNNING", () -> {
            assertNoExit(worker);
            return rest.running(name);
        });
    }

    /** Waits for at least {@code count} records, then returns all of them: more would be duplicates. */
    private static List<String> awaitTopicLines(int count) throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        List<String> values = new ArrayList<>();
        Await.until(WAIT, count + " lines in " + TOPIC, () -> {
            values.clear();
            for (ConsumerRecord<String, String> r : Clients.readAll(broker.bootstrap(), tp)) {
                values.add(r.value());
            }
            return values.size() >= count;
        });
        return values;
    }

    private static void awaitFileLines(ConnectWorker worker, Path file, List<String> expected) throws Exception {
        Await.until(WAIT, expected.size() + " lines in " + file, () -> {
            assertNoExit(worker);
            return Files.exists(file) && Files.readAllLines(file).size() >= expected.size();
        });
        assertThat(Files.readAllLines(file)).containsExactlyElementsOf(expected);
    }

    private static List<String> configTopicKeys() {
        List<String> keys = new ArrayList<>();
        for (ConsumerRecord<String, String> r : Clients.readAll(broker.bootstrap(),
                new TopicPartition(CLUSTER + "-configs", 0))) {
            keys.add(r.key());
        }
        return keys;
    }

    private static void assertNoExit(ConnectWorker worker) {
        assertThat(worker.exits()).as("the worker must not give up").isEmpty();
    }

    private static List<String> lines(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> String.format("line %04d of the input file", i)).toList();
    }

    private static Map<String, String> named(Map<String, String> config, String name) {
        Map<String, String> withName = new HashMap<>(config);
        withName.put("name", name);
        return withName;
    }
}
