package io.tributary.it.logdirs;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.Clients;
import io.tributary.it.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker with two log directories: where new partitions go, and what DescribeLogDirs tells an admin. */
class LogDirsTest {
    @TempDir
    static Path data;
    static Path dirA;
    static Path dirB;
    static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        dirA = data.resolve("disk-a").toAbsolutePath();
        dirB = data.resolve("disk-b").toAbsolutePath();
        broker = TestBroker.start(data, Map.of("log.dirs", dirA + "," + dirB));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void partitionsSpreadOverBothDirectoriesAndDescribeLogDirsReportsTheirSizes() throws Exception {
        String topic = "spread";
        Clients.createTopic(broker.bootstrap(), topic, 4);
        Map<Integer, Integer> produced = Map.of(0, 10, 1, 40, 2, 70, 3, 100);
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
            produced.forEach((p, n) -> {
                for (int i = 0; i < n; i++) {
                    producer.send(new ProducerRecord<>(topic, p, "k" + i, "value-" + "x".repeat(50) + i));
                }
            });
            producer.flush();
        }
        Map<String, LogDirDescription> dirs;
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            dirs = admin.describeLogDirs(List.of(TestBroker.NODE_ID)).allDescriptions().get().get(TestBroker.NODE_ID);
        }
        assertThat(dirs).containsOnlyKeys(dirA.toString(), dirB.toString());
        // Placement: fewest partitions first, so the four partitions split two and two.
        Map<Path, Integer> perDir = new HashMap<>();
        for (Map.Entry<String, LogDirDescription> e : dirs.entrySet()) {
            Path dir = Path.of(e.getKey());
            LogDirDescription description = e.getValue();
            assertThat(description.error()).as(e.getKey()).isNull();
            assertThat(description.totalBytes()).isPresent();
            assertThat(description.totalBytes().getAsLong()).isPositive();
            assertThat(description.usableBytes().getAsLong()).isBetween(0L, description.totalBytes().getAsLong());
            for (Map.Entry<TopicPartition, ReplicaInfo> r : description.replicaInfos().entrySet()) {
                if (!r.getKey().topic().equals(topic)) {
                    continue;
                }
                perDir.merge(dir, 1, Integer::sum);
                ReplicaInfo info = r.getValue();
                assertThat(info.isFuture()).isFalse();
                assertThat(info.offsetLag()).isZero();
                assertThat(info.size()).as("size of " + r.getKey() + " matches its segment files")
                        .isEqualTo(segmentBytes(dir.resolve(r.getKey().topic() + "-" + r.getKey().partition())));
                assertThat(info.size()).isPositive();
            }
        }
        assertThat(perDir).containsEntry(dirA, 2).containsEntry(dirB, 2);
        // Bigger partitions report bigger sizes (sizes are real, not placeholders).
        Map<Integer, Long> sizes = new HashMap<>();
        dirs.values().forEach(d -> d.replicaInfos().forEach((tp, info) -> {
            if (tp.topic().equals(topic)) {
                sizes.put(tp.partition(), info.size());
            }
        }));
        assertThat(sizes.get(0)).isLessThan(sizes.get(1));
        assertThat(sizes.get(1)).isLessThan(sizes.get(2));
        assertThat(sizes.get(2)).isLessThan(sizes.get(3));
    }

    private static long segmentBytes(Path partitionDir) throws Exception {
        try (Stream<Path> files = Files.list(partitionDir)) {
            long total = 0;
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }
}
