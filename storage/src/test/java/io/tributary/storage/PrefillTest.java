package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

/**
 * Page-cache prefill (see {@link LogSegment}): a fast log writes zeros over the next chunk ahead of its end, readers
 * never see them, and rolls, clean shutdowns and crash recovery all leave the file exactly as long as its batches.
 */
class PrefillTest extends LogTestBase {

    private static final int CHUNK = LogSegment.PREFILL_CHUNK_BYTES;
    private static final int RECORDS_PER_BATCH = 16;

    /** Appends ~16 KiB batches until the active segment holds {@code bytes}; the clock moves msPerBatch each. */
    private long appendUntil(PartitionLog log, long bytes, long msPerBatch) {
        long records = 0;
        while (active(log).sizeInBytes() < bytes) {
            log.appendAsLeader(TestBatches.sized(time.milliseconds(), RECORDS_PER_BATCH, 1000), 1);
            records += RECORDS_PER_BATCH;
            time.advance(msPerBatch);
        }
        return records;
    }

    private static LogSegment active(PartitionLog log) {
        return log.segmentsForCleaning().lastEntry().getValue();
    }

    private static byte[] bytesAfterData(LogSegment segment) throws IOException {
        try (FileChannel channel = FileChannel.open(segment.logFile(), StandardOpenOption.READ)) {
            ByteBuffer tail = ByteBuffer.allocate((int) (channel.size() - segment.sizeInBytes()));
            channel.read(tail, segment.sizeInBytes());
            return tail.array();
        }
    }

    /** Reads the whole log back as a client would and checks every offset is there once, in order. */
    private static void assertReadsEveryRecord(PartitionLog log, long records) throws IOException {
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            var batches = TestBatches.batches(log.read(next, 1 << 20, true, Long.MAX_VALUE));
            assertThat(batches).isNotEmpty();
            for (RecordBatch batch : batches) {
                assertThat(batch.baseOffset()).isEqualTo(next);
                assertThat(batch.isValid()).isTrue();
                next = batch.lastOffset() + 1;
            }
        }
        assertThat(next).isEqualTo(records);
    }

    @Test
    void fastAppendsPrefillTheNextChunkWithZerosThatReadersNeverSee() throws IOException {
        PartitionLog log = open();
        long records = appendUntil(log, 3L * CHUNK + CHUNK / 3, 1);

        LogSegment segment = active(log);
        assertThat(segment.fileBytes()).isGreaterThan(segment.sizeInBytes());
        assertThat(segment.fileBytes() % CHUNK).isZero();
        assertThat(segment.fileBytes() - segment.sizeInBytes()).isLessThanOrEqualTo(CHUNK);
        assertThat(Files.size(segment.logFile())).isEqualTo(segment.fileBytes());
        assertThat(bytesAfterData(segment)).containsOnly(0);
        assertReadsEveryRecord(log, records);
        assertThat(log.logEndOffset()).isEqualTo(records);
    }

    @Test
    void rollAndCleanShutdownCutTheZerosOff() throws IOException {
        PartitionLog log = open();
        long records = appendUntil(log, 2L * CHUNK + 1, 1);
        LogSegment first = active(log);
        assertThat(first.fileBytes()).isGreaterThan(first.sizeInBytes());

        log.roll();
        assertThat(Files.size(first.logFile())).isEqualTo(first.sizeInBytes());
        records += appendUntil(log, 2L * CHUNK + 1, 1);
        LogSegment second = active(log);
        assertThat(second).isNotSameAs(first);
        assertThat(second.fileBytes()).isGreaterThan(second.sizeInBytes());
        Path secondFile = second.logFile();
        int secondSize = second.sizeInBytes();

        PartitionLog reopened = reopen(true);
        assertThat(Files.size(secondFile)).isEqualTo(secondSize);
        assertThat(reopened.logEndOffset()).isEqualTo(records);
        assertReadsEveryRecord(reopened, records);
    }

    @Test
    void slowLogsAndExplicitFlushPoliciesAreNotPrefilled() throws IOException {
        PartitionLog slow = open();
        int batchBytes = TestBatches.sized(T0, RECORDS_PER_BATCH, 1000).remaining();
        long msPerChunk = LogSegment.PREFILL_MAX_CHUNK_MS + 1_000;
        appendUntil(slow, 3L * CHUNK, msPerChunk * batchBytes / CHUNK + 1);
        assertThat(active(slow).fileBytes()).isEqualTo(active(slow).sizeInBytes());
        manager.close();

        for (Map<String, String> flushPolicy : List.of(Map.of(LogConfig.FLUSH_MS, "600000"),
                Map.of(LogConfig.FLUSH_MESSAGES, "1000000"))) {
            LogFiles.deleteRecursively(partitionDir());
            PartitionLog flushed = open(config(flushPolicy));
            appendUntil(flushed, 3L * CHUNK, 1);
            assertThat(active(flushed).fileBytes()).as("%s", flushPolicy).isEqualTo(active(flushed).sizeInBytes());
            manager.close();
        }
    }

    @Test
    void aCrashLeavesZerosThatRecoveryCutsWithoutLosingARecord() throws IOException {
        PartitionLog log = open();
        long records = appendUntil(log, 2L * CHUNK + CHUNK / 2, 1);
        Path file = active(log).logFile();
        int size = active(log).sizeInBytes();
        assertThat(Files.size(file)).isGreaterThan(size);

        PartitionLog recovered = reopen(false);
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(recovered.logEndOffset()).isEqualTo(records);
        assertReadsEveryRecord(recovered, records);
        recovered.appendAsLeader(TestBatches.batch(time.milliseconds(), 3), 1);
        assertReadsEveryRecord(recovered, records + 3);
    }

    @Test
    void zerosEndingASegmentThatTheNextContinuesKeepTheSegmentsAfterIt() throws IOException {
        int batchSize = TestBatches.batch(T0, 3).remaining();
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, String.valueOf(batchSize * 3),
                LogConfig.INDEX_INTERVAL_BYTES, "1")));
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(TestBatches.batch(T0 + i, 3), 1);
        }
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 9L, 18L, 27L);
        manager.closeAbruptly();
        Path second = partitionDir().resolve(LogFiles.offsetPrefix(9) + ".log");
        long secondSize = Files.size(second);
        Files.write(second, new byte[5000], StandardOpenOption.APPEND);

        manager = LogManager.open(List.of(tmp), config, time);
        PartitionLog recovered = manager.log(TP);
        assertThat(Files.size(second)).isEqualTo(secondSize);
        assertThat(recovered.segmentBaseOffsets()).containsExactly(0L, 9L, 18L, 27L);
        assertThat(recovered.logEndOffset()).isEqualTo(30);
        assertReadsEveryRecord(recovered, 30);
    }
}
