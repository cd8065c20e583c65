package io.tributary.it.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.Await;
import io.tributary.it.Clients;
import io.tributary.it.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code __consumer_offsets} stays small however often a group commits: Kafka Connect's sink tasks, stream
 * processors and consumers committing after every batch write one record per partition per commit, forever, and
 * only compaction (latest record per group/topic/partition key) keeps the coordinator partition from growing
 * without bound. One group commits a few partitions' offsets in a tight loop; the log end offset shows every
 * record was written, and once the cleaner has run the group's coordinator partition is a few segments holding
 * little more than one record per key. The offsets read back, before and after a restart (which replays the
 * compacted partition), are the last ones committed.
 */
class OffsetsTopicCompactionTest {
    private static final String GROUP = "offsets-churn";
    private static final String TOPIC = "churned";
    private static final int PARTITIONS = 4;
    private static final int OFFSETS_PARTITIONS = 3;
    /** The target; {@link #BUDGET} stops the loop earlier on a machine too slow to reach it. */
    private static final int COMMITS = 1_000_000;
    private static final Duration BUDGET = Duration.ofSeconds(60);
    /** Fewer would not prove much: at ~{@value #PARTITIONS} records of ~60 bytes each, this writes ~25 MB. */
    private static final int COMMITS_MIN = 100_000;
    /** Async commits between two waits for all of them: keeps the client's queue bounded. */
    private static final int WINDOW = 1_000;
    private static final int SEGMENT_BYTES = 1024 * 1024;
    private static final long ROLL_MS = 2_000;

    @TempDir
    Path dir;
    private TestBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void manyCommitsOfOneGroupCompactToAboutOneRecordPerKey() throws Exception {
        Map<String, String> overrides = new HashMap<>(TestBroker.QUICK_GROUPS);
        overrides.put("offsets.topic.num.partitions", Integer.toString(OFFSETS_PARTITIONS));
        overrides.put("offsets.topic.segment.bytes", Integer.toString(SEGMENT_BYTES));
        // The segment the loop ends in rolls by time, so the cleaner may clean all of the loop's records.
        overrides.put("log.roll.ms", Long.toString(ROLL_MS));
        overrides.put("log.cleaner.backoff.ms", "200");
        overrides.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        overrides.put("log.segment.delete.delay.ms", "1000");
        broker = TestBroker.start(dir, overrides);
        Clients.createTopic(broker.bootstrap(), TOPIC, PARTITIONS);
        TopicPartition coordinatorPartition = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME,
                Math.abs(GROUP.hashCode()) % OFFSETS_PARTITIONS); // the coordinator's rule, as in Kafka

        long commits;
        long oneCommitBytes;
        long endOffsetBefore;
        try (Admin admin = Clients.admin(broker.bootstrap());
             KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(),
                     Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP))) {
            consumer.assign(partitions());
            consumer.commitSync(offsets(0), Clients.TIMEOUT);
            long sizeBefore = size(admin, coordinatorPartition);
            endOffsetBefore = endOffset(admin, coordinatorPartition);
            consumer.commitSync(offsets(1), Clients.TIMEOUT);
            oneCommitBytes = size(admin, coordinatorPartition) - sizeBefore;
            assertThat(oneCommitBytes).as("one commit of %d offsets", PARTITIONS).isPositive();

            long startNs = System.nanoTime();
            commits = commitInALoop(consumer, startNs + BUDGET.toNanos());
            double seconds = (System.nanoTime() - startNs) / 1e9;
            System.out.printf("OffsetsTopicCompactionTest: %d commits of %d offsets in %.1f s (%.0f commits/s);"
                            + " one commit is %d bytes in the log%n", commits, PARTITIONS, seconds, commits / seconds,
                    oneCommitBytes);
            assertThat(commits).as("commits within %s", BUDGET).isGreaterThanOrEqualTo(COMMITS_MIN);
            assertThat(endOffset(admin, coordinatorPartition) - endOffsetBefore)
                    .as("every commit's records were appended").isGreaterThanOrEqualTo((commits + 1) * PARTITIONS);
            assertThat(Clients.committed(admin, GROUP)).isEqualTo(expectedCommitted(commits + 1));

            long maxBytes = 4 * oneCommitBytes;
            AtomicReference<String> last = new AtomicReference<>();
            try {
                Await.until(Duration.ofSeconds(90), "the cleaner to shrink " + coordinatorPartition
                        + " to at most 3 segments and " + maxBytes + " bytes", () -> {
                    long bytes = size(admin, coordinatorPartition);
                    int segments = segments(coordinatorPartition);
                    last.set(segments + " segments, " + bytes + " bytes");
                    return segments <= 3 && bytes <= maxBytes;
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; last seen " + last.get() + ": "
                        + segmentFiles(coordinatorPartition), e);
            }
            System.out.println("OffsetsTopicCompactionTest: compacted to " + last.get());
            assertThat(Clients.committed(admin, GROUP)).isEqualTo(expectedCommitted(commits + 1));
        }

        // A restart loads the group from the compacted partition alone.
        broker.restart();
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            AtomicReference<Map<TopicPartition, Long>> committed = new AtomicReference<>();
            Await.until(Clients.TIMEOUT, "the offsets after a restart", () -> {
                try {
                    committed.set(Clients.committed(admin, GROUP));
                    return true;
                } catch (Exception e) {
                    return false; // the coordinator is still loading
                }
            });
            assertThat(committed.get()).isEqualTo(expectedCommitted(commits + 1));
        }
    }

    /**
     * Commit number i (from 2) commits offset i for every partition: asynchronously, waiting for all outstanding
     * commits every {@link #WINDOW}. Returns how many were made before the target or the deadline.
     */
    private static long commitInALoop(KafkaConsumer<String, String> consumer, long deadlineNs) {
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        long i = 2;
        for (; i <= COMMITS + 1; i++) {
            consumer.commitAsync(offsets(i), (offsets, e) -> {
                if (e != null && failed.getAndIncrement() == 0) {
                    firstFailure.set(e);
                }
            });
            if (i % WINDOW == 0) {
                // Answered after the async commits sent before it (one connection, in order): bounds the queue.
                consumer.commitSync(offsets(i), Clients.TIMEOUT);
                if (System.nanoTime() > deadlineNs) {
                    break;
                }
            }
        }
        long last = Math.min(i, COMMITS + 1);
        consumer.commitSync(offsets(last), Clients.TIMEOUT);
        assertThat(failed.get()).as("failed async commits, first: %s", firstFailure.get()).isZero();
        return last - 1;
    }

    private static List<TopicPartition> partitions() {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(long offset) {
        Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
        for (TopicPartition tp : partitions()) {
            m.put(tp, new OffsetAndMetadata(offset));
        }
        return m;
    }

    private static Map<TopicPartition, Long> expectedCommitted(long offset) {
        Map<TopicPartition, Long> m = new HashMap<>();
        partitions().forEach(tp -> m.put(tp, offset));
        return m;
    }

    /** The partition's size as DescribeLogDirs reports it (what kafka-log-dirs.sh shows an operator). */
    private static long size(Admin admin, TopicPartition tp) throws Exception {
        ReplicaInfo info = admin.describeLogDirs(List.of(TestBroker.NODE_ID)).allDescriptions()
                .get(30, TimeUnit.SECONDS).get(TestBroker.NODE_ID).values().stream()
                .map(d -> d.replicaInfos().get(tp)).filter(r -> r != null).findFirst()
                .orElseThrow(() -> new AssertionError(tp + " is in no log dir"));
        return info.size();
    }

    private static long endOffset(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
    }

    /** The first segment files and their sizes, for a failure message. */
    private String segmentFiles(TopicPartition tp) throws IOException {
        try (Stream<Path> files = Files.list(broker.logDir().resolve(tp.topic() + "-" + tp.partition()))) {
            List<String> all = files.filter(f -> f.getFileName().toString().contains(".log"))
                    .map(f -> f.getFileName() + "=" + f.toFile().length()).sorted().toList();
            return all.size() + " files " + all.subList(0, Math.min(8, all.size()));
        }
    }

    /** Live segments in the partition's directory (segments being deleted carry a .deleted suffix). */
    private int segments(TopicPartition tp) throws IOException {
        try (Stream<Path> files = Files.list(broker.logDir().resolve(tp.topic() + "-" + tp.partition()))) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
        }
    }
}
