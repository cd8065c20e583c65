package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class RecoveryTest extends LogTestBase {

    private final int batchSize = TestBatches.batch(T0, 3).remaining();

    private PartitionLog openSmallSegments() {
        return open(config(Map.of(LogConfig.SEGMENT_BYTES, String.valueOf(batchSize * 3),
                LogConfig.INDEX_INTERVAL_BYTES, "1")));
    }

    private static void append(PartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) {
            log.appendAsLeader(TestBatches.batch(T0 + log.logEndOffset(), 3), 1 + (int) (log.logEndOffset() / 10));
        }
    }

    private static List<Long> allBaseOffsets(PartitionLog log) throws IOException {
        List<Long> bases = new java.util.ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            var batches = TestBatches.batches(log.read(next, Integer.MAX_VALUE, true, Long.MAX_VALUE));
            for (RecordBatch b : batches) {
                bases.add(b.baseOffset());
            }
            next = batches.get(batches.size() - 1).lastOffset() + 1;
        }
        return bases;
    }

    private static List<Long> expectedBases(long end) {
        return java.util.stream.LongStream.iterate(0, o -> o < end, o -> o + 3).boxed().toList();
    }

    private Path lastLogFile() throws IOException {
        try (var files = Files.list(partitionDir())) {
            return files.filter(p -> p.toString().endsWith(".log")).max(Path::compareTo).orElseThrow();
        }
    }

    private static void appendBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    @Test
    void cleanReopenKeepsEverything() throws IOException {
        PartitionLog log = openSmallSegments();
        append(log, 10);
        log.updateHighWatermark(21);
        log.updateHighWatermark(27);
        log.maybeIncrementLogStartOffset(4);
        var maxTs = log.offsetOfMaxTimestamp();
        var byTs = log.offsetForTimestamp(T0 + 13);
        var epochs = log.epochEntries();

        PartitionLog reopened = reopen(true);

        assertThat(manager.hadCleanShutdown()).isTrue();
        assertThat(Files.exists(tmp.resolve(LogFiles.CLEAN_SHUTDOWN_MARKER))).as("marker removed on open").isFalse();
        assertThat(reopened.topicId()).isEqualTo(TOPIC_ID);
        assertThat(reopened.logEndOffset()).isEqualTo(30);
        assertThat(reopened.logStartOffset()).isEqualTo(4);
        assertThat(reopened.highWatermark()).isEqualTo(27);
        assertThat(reopened.recoveryPoint()).isEqualTo(30);
        assertThat(reopened.numberOfSegments()).isEqualTo(4);
        assertThat(reopened.epochEntries()).isEqualTo(epochs);
        assertThat(reopened.offsetOfMaxTimestamp()).isEqualTo(maxTs);
        assertThat(reopened.offsetForTimestamp(T0 + 13)).isEqualTo(byTs);
        assertThat(allBaseOffsets(reopened)).containsExactlyElementsOf(expectedBases(30).subList(1, 10));
        append(reopened, 1);
        assertThat(reopened.logEndOffset()).isEqualTo(33);
    }

    @Test
    void uncleanReopenRecoversAllData() throws IOException {
        PartitionLog log = openSmallSegments();
        append(log, 10);
        PartitionLog recovered = reopen(false);
        assertThat(manager.hadCleanShutdown()).isFalse();
        assertThat(recovered.logEndOffset()).isEqualTo(30);
        assertThat(allBaseOffsets(recovered)).containsExactlyElementsOf(expectedBases(30));
        assertThat(recovered.offsetForTimestamp(T0 + 13)).get().extracting(TimestampOffset::offset).isEqualTo(13L);
        assertThat(recovered.recoveryPoint()).isEqualTo(30);
        append(recovered, 2);
        assertThat(allBaseOffsets(recovered)).containsExactlyElementsOf(expectedBases(36));
    }

    @Test
    void garbageAtTheTailIsCutExactlyEvenAfterACleanShutdown() throws IOException {
        PartitionLog log = openSmallSegments();
        append(log, 8);
        manager.close();
        Path last = lastLogFile();
        long validSize = Files.size(last);
        byte[] garbage = new byte[100];
        Arrays.fill(garbage, (byte) 0x7f);
        appendBytes(last, garbage);

        manager = LogManager.open(List.of(tmp), config, time);
        PartitionLog recovered = manager.log(TP);
        assertThat(recovered.logEndOffset()).isEqualTo(24);
        assertThat(Files.size(last)).isEqualTo(validSize);
        assertThat(allBaseOffsets(recovered)).containsExactlyElementsOf(expectedBases(24));
    }

    @Test
    void zeroedTailAfterACrashIsCut() throws IOException {
        PartitionLog log = openSmallSegments();
        append(log, 7);
        manager.closeAbruptly();
        appendBytes(lastLogFile(), new byte[4096]);
        manager = LogManager.open(List.of(tmp), config, time);
        assertThat(manager.log(TP).logEndOffset()).isEqualTo(21);
        assertThat(allBaseOffsets(manager.log(TP))).containsExactlyElementsOf(expectedBases(21));
    }

    @Test
    void tornHalfBatchIsCut() throws IOException {
        PartitionLog log = openSmallSegments();
        append(log, 7);
        manager.closeAbruptly();
        ByteBuffer next = TestBatches.batch(T0, 3);
        next.putLong(0, 21);
        byte[] half = Arrays.copyOf(AppendValidationTest.copy(next), next.remaining() / 2);
        appendBytes(lastLogFile(), half);

        manager = LogManager.open(List.of(tmp), config, time);
        PartitionLog recovered = manager.log(TP);
        assertThat(recovered.logEndOffset()).isEqualTo(21);
        assertThat(allBaseOffsets(recovered)).containsExactlyElementsOf(expectedBases(21));
        append(recovered, 1);
        assertThat(recovered.logEndOffset()).isEqualTo(24);
    }

    @Test
    void corruptBatchInAnUnflushedSegmentTruncatesThereAndDropsLaterSegments() throws IOException {
        PartitionLog log = openSmallSegments();
        append(log, 10);
        manager.closeAbruptly();
        Path second = partitionDir().resolve(LogFiles.offsetPrefix(9) + ".log");
        flipByte(second, batchSize + batchSize - 3);

        manager = LogManager.open(List.of(tmp), config, time);
        PartitionLog recovered = manager.log(TP);
        assertThat(recovered.logEndOffset()).isEqualTo(12);
        assertThat(recovered.numberOfSegments()).isEqualTo(2);
        assertThat(allBaseOffsets(recovered)).containsExactlyElementsOf(expectedBases(12));
        assertThat(recovered.epochEntries()).allMatch(e -> e.startOffset() < 12);
        append(recovered, 1);
        assertThat(allBaseOffsets(recovered)).containsExactlyElementsOf(expectedBases(15));
    }

    @Test
    void segmentsBelowTheRecoveryPointAreTrustedAndNotRescanned() throws IOException {
        PartitionLog log = openSmallSegments();
        append(log, 10);
        log.flush();
        manager.writeCheckpoints();
        manager.closeAbruptly();
        // A bit flip in a flushed segment's record payload is not looked for on startup (that is what makes
        // recovery of many partitions fast); the batch is still there.
        flipByte(partitionDir().resolve(LogFiles.offsetPrefix(0) + ".log"), batchSize - 3);
        manager = LogManager.open(List.of(tmp), config, time);
        assertThat(manager.log(TP).logEndOffset()).isEqualTo(30);
        assertThat(manager.log(TP).numberOfSegments()).isEqualTo(4);
    }

    @Test
    void missingIndexesAreRebuilt() throws IOException {
        PartitionLog log = openSmallSegments();
        append(log, 10);
        manager.close();
        Path index = partitionDir().resolve(LogFiles.offsetPrefix(9) + ".index");
        Path timeIndex = partitionDir().resolve(LogFiles.offsetPrefix(9) + ".timeindex");
        long indexSize = Files.size(index);
        long timeIndexSize = Files.size(timeIndex);
        assertThat(indexSize).isPositive();
        Files.delete(index);
        Files.delete(timeIndex);

        manager = LogManager.open(List.of(tmp), config, time);
        PartitionLog reopened = manager.log(TP);
        assertThat(Files.size(index)).isEqualTo(indexSize);
        assertThat(Files.size(timeIndex)).isEqualTo(timeIndexSize);
        assertThat(allBaseOffsets(reopened)).containsExactlyElementsOf(expectedBases(30));
        assertThat(reopened.offsetForTimestamp(T0 + 13)).get().extracting(TimestampOffset::offset).isEqualTo(13L);
    }

    @Test
    void corruptIndexIsRebuilt() throws IOException {
        PartitionLog log = openSmallSegments();
        append(log, 10);
        manager.close();
        Path index = partitionDir().resolve(LogFiles.offsetPrefix(9) + ".index");
        byte[] bytes = Files.readAllBytes(index);
        // Last entry points past the end of the segment.
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, 1 << 20);
        Files.write(index, bytes);

        manager = LogManager.open(List.of(tmp), config, time);
        assertThat(allBaseOffsets(manager.log(TP))).containsExactlyElementsOf(expectedBases(30));
        assertThat(ByteBuffer.wrap(Files.readAllBytes(index)).getInt(bytes.length - 4)).isLessThan(batchSize * 3);
    }

    @Test
    void truncateToWorksOnWholeBatchesAcrossSegments() throws IOException {
        PartitionLog log = openSmallSegments();
        append(log, 10);
        log.updateHighWatermark(30);
        log.truncateTo(22);
        assertThat(log.logEndOffset()).as("batch [21,23] straddles 22 and goes").isEqualTo(21);
        assertThat(log.highWatermark()).isEqualTo(21);
        log.truncateTo(9);
        assertThat(log.logEndOffset()).isEqualTo(9);
        assertThat(log.numberOfSegments()).as("[0,9) plus the emptied segment at 9").isEqualTo(2);
        assertThat(log.latestEpoch()).isEqualTo(1);
        append(log, 4);
        assertThat(allBaseOffsets(log)).containsExactlyElementsOf(expectedBases(21));
        PartitionLog reopened = reopen(false);
        assertThat(allBaseOffsets(reopened)).containsExactlyElementsOf(expectedBases(21));
        reopened.truncateFullyAndStartAt(100);
        assertThat(reopened.logStartOffset()).isEqualTo(100);
        assertThat(reopened.logEndOffset()).isEqualTo(100);
        assertThat(reopened.latestEpoch()).isEqualTo(-1);
        assertThat(reopened.appendAsLeader(TestBatches.batch(T0, 3), 9).firstOffset()).isEqualTo(100);
        PartitionLog again = reopen(true);
        assertThat(again.logStartOffset()).isEqualTo(100);
        assertThat(again.logEndOffset()).isEqualTo(103);
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
            channel.write(one, position);
        }
    }
}
