package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;

class LogManagerTest extends LogTestBase {

    @Test
    void newPartitionsGoToTheLeastLoadedDirectory() {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        manager = LogManager.open(List.of(a, b), config, time);
        assertThat(manager.hadCleanShutdown()).as("fresh directories").isTrue();
        for (int p = 0; p < 4; p++) {
            manager.getOrCreateLog(new TopicPartition("t", p), TOPIC_ID, config);
        }
        assertThat(manager.logs()).hasSize(4);
        assertThat(manager.logs().stream().filter(l -> l.dir().getParent().equals(a))).hasSize(2);
        assertThat(manager.logs().stream().filter(l -> l.dir().getParent().equals(b))).hasSize(2);
        assertThat(a.resolve("t-0").resolve(LogFiles.PARTITION_METADATA).toFile().exists()
                || b.resolve("t-0").resolve(LogFiles.PARTITION_METADATA).toFile().exists()).isTrue();
    }

    @Test
    void getOrCreateReturnsTheExistingLogAndChecksTheTopicId() {
        PartitionLog log = open();
        LogConfig changed = config(Map.of(LogConfig.RETENTION_MS, "5"));
        assertThat(manager.getOrCreateLog(TP, TOPIC_ID, changed)).isSameAs(log);
        assertThat(log.config()).isEqualTo(changed);
        assertThatThrownBy(() -> manager.getOrCreateLog(TP, Uuid.randomUuid(), config))
                .isInstanceOf(InconsistentTopicIdException.class);
        manager.updateConfig(TP, config);
        assertThat(log.config()).isEqualTo(config);
        assertThat(manager.log(new TopicPartition("other", 0))).isNull();
    }

    @Test
    void deleteLogRenamesAtOnceAndRemovesFilesAfterTheDelay() throws IOException {
        PartitionLog log = open(config(Map.of(LogConfig.FILE_DELETE_DELAY_MS, "1000")));
        log.appendAsLeader(TestBatches.batch(T0, 5), 0);
        FetchSlice inFlight = log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE);

        manager.deleteLog(TP);

        assertThat(manager.log(TP)).isNull();
        assertThat(partitionDir()).doesNotExist();
        Path renamed = log.dir();
        assertThat(renamed.getFileName().toString()).startsWith("orders-0.").endsWith("-delete");
        assertThat(renamed).exists();
        assertThat(TestBatches.records(inFlight)).hasSize(5);
        assertThatThrownBy(() -> log.appendAsLeader(TestBatches.batch(T0, 1), 0))
                .isInstanceOf(KafkaStorageException.class);

        assertThat(manager.deleteQueue().runDue(time.milliseconds() + 999)).isZero();
        assertThat(manager.deleteQueue().runDue(time.milliseconds() + 1000)).isEqualTo(1);
        assertThat(renamed).doesNotExist();

        PartitionLog recreated = manager.getOrCreateLog(TP, TOPIC_ID, config);
        assertThat(recreated.logEndOffset()).isZero();
    }

    @Test
    void leftoverDeleteDirectoriesAreRemovedOnStartup() throws IOException {
        open();
        manager.close();
        Path leftover = tmp.resolve("orders-7.0123456789abcdef0123456789abcdef-delete");
        Files.createDirectories(leftover);
        Files.write(leftover.resolve("00000000000000000000.log"), new byte[10]);
        manager = LogManager.open(List.of(tmp), config, time);
        assertThat(leftover).doesNotExist();
        assertThat(manager.logs()).extracting(PartitionLog::topicPartition).containsExactly(TP);
    }

    @Test
    void closeWritesCheckpointsAndTheCleanShutdownMarker() throws IOException {
        PartitionLog log = open();
        log.appendAsLeader(TestBatches.batch(T0, 4), 0);
        log.updateHighWatermark(4);
        manager.close();
        assertThat(tmp.resolve(LogFiles.CLEAN_SHUTDOWN_MARKER)).exists();
        assertThat(Checkpoints.readOffsets(tmp.resolve(LogFiles.RECOVERY_POINT_CHECKPOINT))).containsEntry(TP, 4L);
        assertThat(Checkpoints.readOffsets(tmp.resolve(LogFiles.LOG_START_OFFSET_CHECKPOINT))).containsEntry(TP, 0L);
        assertThat(Checkpoints.readOffsets(tmp.resolve(LogFiles.HIGH_WATERMARK_CHECKPOINT))).containsEntry(TP, 4L);
        assertThat(Files.readString(tmp.resolve(LogFiles.RECOVERY_POINT_CHECKPOINT))).isEqualTo("0\n1\norders 0 4\n");
        assertThat(Files.readAllLines(partitionDir().resolve(LogFiles.PARTITION_METADATA)))
                .contains("topic_id: " + TOPIC_ID);
        assertThat(Files.readString(partitionDir().resolve(LogFiles.LEADER_EPOCH_CHECKPOINT)))
                .isEqualTo("0\n1\n0 0\n");
    }

    @Test
    void backgroundTasksRunRetentionFlushAndDeletes() throws Exception {
        int batchSize = TestBatches.batch(T0, 3).remaining();
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, String.valueOf(batchSize),
                LogConfig.RETENTION_MS, "1000", LogConfig.FLUSH_MS, "10", LogConfig.FILE_DELETE_DELAY_MS, "5")));
        for (int i = 0; i < 4; i++) {
            log.appendAsLeader(TestBatches.batch(T0, 3), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        time.advance(5000);
        manager.startBackgroundTasks(20, 20);
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline
                && (log.numberOfSegments() > 1 || log.recoveryPoint() < 12 || manager.deleteQueue().size() > 0)) {
            time.advance(10);
            Thread.sleep(10);
        }
        assertThat(log.numberOfSegments()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(9);
        assertThat(log.recoveryPoint()).isEqualTo(12);
        assertThat(manager.deleteQueue().size()).isZero();
        try (var files = Files.list(partitionDir())) {
            assertThat(files.filter(p -> p.toString().endsWith(".deleted"))).isEmpty();
        }
        assertThatThrownBy(() -> manager.startBackgroundTasks(20, 20)).isInstanceOf(IllegalStateException.class);
    }
}
