package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A full disk under one of two log directories, simulated with {@link DiskFaults}: the failing directory goes
 * offline as a whole, the append that hit the error leaves no trace, the other directory keeps working, and a
 * restart with space freed brings every acknowledged record back.
 */
class LogDirFailureTest extends LogTestBase {

    private static final TopicPartition A0 = new TopicPartition("full", 0);
    private static final TopicPartition A1 = new TopicPartition("full", 1);
    private static final TopicPartition B0 = new TopicPartition("safe", 0);

    private Path dirA;
    private Path dirB;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void twoDirectories() {
        dirA = tmp.resolve("a");
        dirB = tmp.resolve("b");
        logged.start();
        ((Logger) LoggerFactory.getLogger(LogManager.class)).addAppender(logged);
    }

    @AfterEach
    void disarm() {
        DiskFaults.clear();
        ((Logger) LoggerFactory.getLogger(LogManager.class)).detachAppender(logged);
    }

    private void openManager() {
        manager = LogManager.open(List.of(dirA, dirB), config, time);
    }

    /** Creates A0 and A1 in dir a and B0 in dir b (fewest partitions first, ties in configured order). */
    private void createLogs() {
        manager.getOrCreateLog(A0, TOPIC_ID, config);
        manager.getOrCreateLog(B0, TOPIC_ID, config);
        manager.getOrCreateLog(A1, TOPIC_ID, config);
        assertThat(manager.log(A0).dir().getParent()).isEqualTo(dirA);
        assertThat(manager.log(A1).dir().getParent()).isEqualTo(dirA);
        assertThat(manager.log(B0).dir().getParent()).isEqualTo(dirB);
    }

    @Test
    void runningOutOfSpaceTakesOnlyThatDirectoryOfflineAndLosesNothingAcknowledged() throws IOException {
        openManager();
        createLogs();
        PartitionLog a0 = manager.log(A0);
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            a0.appendAsLeader(TestBatches.batch(T0 + i * 10L, 3), 0);
            a0.updateHighWatermark(a0.logEndOffset());
        }
        for (Record r : TestBatches.records(a0.read(0, Integer.MAX_VALUE, true, Long.MAX_VALUE))) {
            acknowledged.add(new String(toBytes(r.value())));
        }
        long endBefore = a0.logEndOffset();
        Path segmentFile = a0.dir().resolve(LogFiles.logFile(a0.dir(), 0).getFileName());
        long fileBytesBefore = Files.size(segmentFile);

        ByteBuffer next = TestBatches.batch(T0 + 100, 3);
        DiskFaults.fillUpAfter(dirA, next.remaining() / 2);
        assertThatThrownBy(() -> a0.appendAsLeader(next, 0)).isInstanceOf(KafkaStorageException.class);

        // Nothing of the failed append is visible or left behind, and the end did not move.
        assertThat(a0.logEndOffset()).isEqualTo(endBefore);
        assertThat(Files.size(segmentFile)).isEqualTo(fileBytesBefore);
        // The whole directory is offline: both its logs refuse reads and writes, including its healthy neighbour.
        assertThat(manager.isOffline(dirA)).isTrue();
        assertThat(manager.offlineDirs()).containsExactly(dirA);
        for (TopicPartition tp : List.of(A0, A1)) {
            PartitionLog log = manager.log(tp);
            assertThat(log.isOffline()).as(tp.toString()).isTrue();
            assertThatThrownBy(() -> log.appendAsLeader(TestBatches.batch(T0, 1), 0))
                    .isInstanceOf(KafkaStorageException.class).hasMessageContaining(dirA.toString());
            assertThatThrownBy(() -> log.read(0, 1000, true, Long.MAX_VALUE))
                    .isInstanceOf(KafkaStorageException.class);
            assertThatThrownBy(() -> log.offsetForTimestamp(T0)).isInstanceOf(KafkaStorageException.class);
        }
        // A new partition cannot land on the failed directory.
        assertThat(manager.getOrCreateLog(new TopicPartition("later", 0), TOPIC_ID, config).dir().getParent())
                .isEqualTo(dirB);
        // The other directory keeps working.
        PartitionLog b0 = manager.log(B0);
        b0.appendAsLeader(TestBatches.batch(T0, 4), 0);
        assertThat(TestBatches.records(b0.read(0, Integer.MAX_VALUE, true, Long.MAX_VALUE))).hasSize(4);
        assertThat(errorLines()).anyMatch(line -> line.contains(dirA.toString()) && line.contains("OFFLINE"));

        // Housekeeping and shutdown leave the failed directory alone: no checkpoint, no clean-shutdown marker.
        manager.runHousekeeping();
        manager.runRetention();
        manager.close();
        assertThat(dirA.resolve(LogFiles.CLEAN_SHUTDOWN_MARKER)).doesNotExist();
        assertThat(dirB.resolve(LogFiles.CLEAN_SHUTDOWN_MARKER)).exists();

        // Space freed, restart: every acknowledged record is back, once, in order, and the log takes appends again.
        DiskFaults.clear();
        openManager();
        PartitionLog reopened = manager.log(A0);
        assertThat(manager.offlineDirs()).isEmpty();
        assertThat(reopened.logEndOffset()).isEqualTo(endBefore);
        List<String> values = new ArrayList<>();
        for (Record r : TestBatches.records(reopened.read(0, Integer.MAX_VALUE, true, Long.MAX_VALUE))) {
            values.add(new String(toBytes(r.value())));
        }
        assertThat(values).containsExactlyElementsOf(acknowledged);
        reopened.appendAsLeader(TestBatches.batch(T0 + 200, 2), 0);
        assertThat(reopened.logEndOffset()).isEqualTo(endBefore + 2);
        assertThat(manager.log(B0).logEndOffset()).isEqualTo(4);
    }

    @Test
    void aTornTailLeftByAFailedWriteIsCutOnRestart() throws IOException {
        openManager();
        createLogs();
        PartitionLog a0 = manager.log(A0);
        a0.appendAsLeader(TestBatches.batch(T0, 3), 0);
        a0.appendAsLeader(TestBatches.batch(T0 + 10, 3), 0);
        long end = a0.logEndOffset();
        Path segmentFile = LogFiles.logFile(a0.dir(), 0);
        long acknowledgedBytes = Files.size(segmentFile);
        DiskFaults.fillUpAfter(dirA, 0);
        assertThatThrownBy(() -> a0.appendAsLeader(TestBatches.batch(T0 + 20, 3), 0))
                .isInstanceOf(KafkaStorageException.class);
        manager.close();
        DiskFaults.clear();
        // Where cutting the failed bytes off also failed, the file ends in half a batch: as a real ENOSPC leaves it.
        ByteBuffer half = TestBatches.batch(T0 + 20, 3);
        half.limit(half.remaining() / 2);
        try (FileChannel channel = FileChannel.open(segmentFile, StandardOpenOption.WRITE)) {
            channel.write(half, acknowledgedBytes);
        }

        openManager();
        PartitionLog reopened = manager.log(A0);
        assertThat(reopened.logEndOffset()).isEqualTo(end);
        assertThat(Files.size(segmentFile)).isEqualTo(acknowledgedBytes);
        assertThat(TestBatches.records(reopened.read(0, Integer.MAX_VALUE, true, Long.MAX_VALUE))).hasSize(6);
    }

    @Test
    void noRoomForTheNextIndexPageIsAnIoErrorAndTheAppendIsUndone() throws IOException {
        // Every batch gets an index entry, so the second append must allocate index space after its data fit.
        config = config(Map.of(LogConfig.SEGMENT_INDEX_BYTES, "4096", "index.interval.bytes", "0"));
        openManager();
        createLogs();
        PartitionLog a0 = manager.log(A0);
        a0.appendAsLeader(TestBatches.batch(T0, 2), 0);
        Path segmentFile = LogFiles.logFile(a0.dir(), 0);
        long bytesBefore = Files.size(segmentFile);
        ByteBuffer second = TestBatches.batch(T0 + 10, 2);
        DiskFaults.fillUpAfter(dirA, second.remaining());
        assertThatThrownBy(() -> a0.appendAsLeader(second, 0)).isInstanceOf(KafkaStorageException.class);
        assertThat(a0.logEndOffset()).isEqualTo(2);
        assertThat(Files.size(segmentFile)).as("the batch whose index entry failed is cut off").isEqualTo(bytesBefore);
        assertThat(manager.isOffline(dirA)).isTrue();
        manager.close();
        DiskFaults.clear();
        openManager();
        assertThat(manager.log(A0).logEndOffset()).isEqualTo(2);
    }

    @Test
    void aCheckpointThatCannotBeWrittenTakesItsDirectoryOfflineOnly() throws IOException {
        openManager();
        createLogs();
        manager.log(B0).appendAsLeader(TestBatches.batch(T0, 2), 0);
        manager.log(B0).flush();
        DiskFaults.fillUpAfter(dirA, 0);
        manager.writeCheckpoints();
        assertThat(manager.offlineDirs()).containsExactly(dirA);
        assertThat(Checkpoints.readOffsets(dirB.resolve(LogFiles.RECOVERY_POINT_CHECKPOINT))).containsEntry(B0, 2L);
        assertThatThrownBy(() -> manager.log(A1).read(0, 100, true, Long.MAX_VALUE))
                .isInstanceOf(KafkaStorageException.class);
    }

    @Test
    void aDirectoryThatCannotBeOpenedIsOfflineAndTheBrokerStartsWithTheOthers() throws IOException {
        Files.createDirectories(tmp);
        Files.writeString(dirA, "not a directory");
        openManager();
        assertThat(manager.offlineDirs()).containsExactly(dirA);
        assertThat(manager.getOrCreateLog(A0, TOPIC_ID, config).dir().getParent()).isEqualTo(dirB);
        List<LogManager.LogDirStatus> described = manager.describeLogDirs();
        assertThat(described).extracting(LogManager.LogDirStatus::dir).containsExactly(dirA, dirB);
        assertThat(described.get(0).offline()).isTrue();
        assertThat(described.get(0).totalBytes()).isEqualTo(-1);
        assertThat(described.get(1).offline()).isFalse();
        assertThat(described.get(1).partitionSizes()).containsOnlyKeys(A0);
        assertThat(described.get(1).totalBytes()).isGreaterThan(0);
        assertThat(described.get(1).usableBytes()).isBetween(0L, described.get(1).totalBytes());
    }

    @Test
    void partitionsOfADirectoryThatFailedAtStartupAreNotRecreatedElsewhere() throws IOException {
        openManager();
        createLogs();
        manager.log(A0).appendAsLeader(TestBatches.batch(T0, 2), 0);
        manager.close();
        // The segment cannot be opened (a directory where its file should be): loading it fails with an I/O error.
        Path segmentFile = LogFiles.logFile(dirA.resolve("full-0"), 0);
        Files.move(segmentFile, tmp.resolve("moved-away"));
        Files.createDirectory(segmentFile);
        openManager();
        assertThat(manager.isOffline(dirA)).isTrue();
        assertThat(manager.log(A0)).isNull();
        assertThatThrownBy(() -> manager.getOrCreateLog(A0, TOPIC_ID, config))
                .isInstanceOf(KafkaStorageException.class).hasMessageContaining(dirA.toString());
        assertThat(manager.log(B0).isOffline()).isFalse();
    }

    @Test
    void describeLogDirsReportsEachPartitionsBytesOnDisk() throws IOException {
        openManager();
        createLogs();
        for (int i = 0; i < 3; i++) {
            manager.log(A0).appendAsLeader(TestBatches.sized(T0, 5, 100), 0);
        }
        manager.log(B0).appendAsLeader(TestBatches.sized(T0, 2, 10), 0);
        for (LogManager.LogDirStatus status : manager.describeLogDirs()) {
            assertThat(status.offline()).isFalse();
            for (Map.Entry<TopicPartition, Long> e : status.partitionSizes().entrySet()) {
                long onDisk = 0;
                try (var files = Files.list(status.dir().resolve(e.getKey().topic() + "-" + e.getKey().partition()))) {
                    for (Path f : files.filter(f -> f.toString().endsWith(LogFiles.LOG_SUFFIX)).toList()) {
                        onDisk += Files.size(f);
                    }
                }
                assertThat(e.getValue()).as(e.getKey().toString()).isEqualTo(onDisk);
            }
        }
        assertThat(manager.describeLogDirs().get(0).partitionSizes().get(A0)).isGreaterThan(1500);
    }

    private List<String> errorLines() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
