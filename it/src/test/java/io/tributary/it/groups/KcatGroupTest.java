package io.tributary.it.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * librdkafka's balanced consumer ({@code kcat -G}) is an independent implementation of the classic group protocol
 * (its own JoinGroup/SyncGroup versions, assignor and offset commit on close), so it checks the coordinator
 * against more than the Java client's habits. Skipped when kcat is not installed; CI installs it.
 */
class KcatGroupTest {
    private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static Path kcat;
    static GroupBroker broker;

    @BeforeAll
    static void start() throws Exception {
        kcat = onPath("kcat", "kafkacat").orElse(null);
        Assumptions.assumeTrue(kcat != null, "kcat/kafkacat is not on PATH");
        broker = GroupBroker.start(dir);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void kcatBalancedConsumerReadsEverythingAndCommitsWhatTheAdminThenSees() throws Exception {
        String topic = "kcat-group-topic";
        String group = "kcat-group";
        int partitions = 4;
        int perPartition = 500;
        GroupClients.createTopic(broker.bootstrap(), topic, partitions);
        GroupClients.produce(broker.bootstrap(), topic, partitions, partitions * perPartition);

        Ledger first = consumeWithKcat(group, topic);
        Map<Integer, Long> ends = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            ends.put(p, (long) perPartition);
        }
        first.assertExactlyOnceInOrder(ends);
        assertThat(committed(group)).isEqualTo(expectedCommits(topic, ends));

        // A second run of the group resumes from those commits: only the new records.
        GroupClients.produce(broker.bootstrap(), topic, partitions, partitions * 100, perPartition);
        Ledger second = consumeWithKcat(group, topic);
        for (int p = 0; p < partitions; p++) {
            assertThat(Ledger.sequenceProblem(second.offsets(p), perPartition, perPartition + 100))
                    .as("second run, partition %d", p).isNull();
            ends.put(p, perPartition + 100L);
        }
        assertThat(committed(group)).isEqualTo(expectedCommits(topic, ends));
    }

    /** One kcat group member until it has reached the end of every partition it was assigned; then it commits and leaves. */
    private static Ledger consumeWithKcat(String group, String topic) throws Exception {
        List<String> cmd = List.of(kcat.toString(), "-b", broker.bootstrap(), "-G", group,
                "-X", "auto.offset.reset=earliest", "-X", "session.timeout.ms=6000",
                "-e", "-q", "-f", "%p %o %s\\n", topic);
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(KCAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("kcat -G did not finish within " + KCAT_TIMEOUT + "\n--- stderr ---\n"
                    + err.get(5, TimeUnit.SECONDS));
        }
        String stderr = err.get(10, TimeUnit.SECONDS);
        assertThat(p.exitValue()).as("kcat exit code; stderr:%n%s", stderr).isZero();
        assertThat(stderr).as("kcat stderr").doesNotContain("ERROR");
        Ledger ledger = new Ledger();
        for (String line : out.get(10, TimeUnit.SECONDS).lines().toList()) {
            String[] f = line.split(" ");
            assertThat(f).as("kcat output line %s", line).hasSize(3);
            ledger.record("kcat", Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2]);
        }
        return ledger;
    }

    private static Map<TopicPartition, Long> expectedCommits(String topic, Map<Integer, Long> ends) {
        Map<TopicPartition, Long> out = new HashMap<>();
        ends.forEach((p, end) -> out.put(new TopicPartition(topic, p), end));
        return out;
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        try (Admin admin = GroupClients.admin(broker.bootstrap())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            offsets.forEach((tp, om) -> out.put(tp, om.offset()));
            return out;
        }
    }

    /** A thread per stream, as two drains sharing the one-thread common pool of a 2-core machine could deadlock. */
    private static CompletableFuture<String> drain(InputStream s) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (s) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                s.transferTo(b);
                f.complete(b.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(e);
            }
        }, "kcat-drain");
        t.setDaemon(true);
        t.start();
        return f;
    }

    private static Optional<Path> onPath(String... names) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String name : names) {
            for (String d : path.split(File.pathSeparator)) {
                Path candidate = Path.of(d, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
