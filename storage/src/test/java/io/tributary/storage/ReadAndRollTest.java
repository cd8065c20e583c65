package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class ReadAndRollTest extends LogTestBase {

    /** Appends {@code n} 3-record batches; returns their sizes. */
    private static List<Integer> appendBatches(PartitionLog log, int n) {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var batch = TestBatches.batch(T0 + i, 3);
            sizes.add(batch.remaining());
            log.appendAsLeader(batch, 0);
        }
        return sizes;
    }

    private static List<Long> baseOffsets(FetchSlice slice) throws IOException {
        return TestBatches.batches(slice).stream().map(RecordBatch::baseOffset).toList();
    }

    @Test
    void readHonoursMaxBytesMinOneBatchAndMaxOffset() throws IOException {
        PartitionLog log = open();
        List<Integer> sizes = appendBatches(log, 10);
        int size = sizes.get(0);

        assertThat(baseOffsets(log.read(0, size * 2 + size / 2, false, Long.MAX_VALUE))).containsExactly(0L, 3L);
        assertThat(baseOffsets(log.read(4, size * 2, false, Long.MAX_VALUE))).containsExactly(3L, 6L);
        assertThat(log.read(0, size - 1, false, Long.MAX_VALUE).isEmpty()).isTrue();
        assertThat(baseOffsets(log.read(0, 1, true, Long.MAX_VALUE))).containsExactly(0L);
        assertThat(baseOffsets(log.read(0, Integer.MAX_VALUE, false, 9))).containsExactly(0L, 3L, 6L);
        // The batch holding the limit is not returned.
        assertThat(baseOffsets(log.read(0, Integer.MAX_VALUE, false, 10))).containsExactly(0L, 3L, 6L);
        assertThat(log.read(9, Integer.MAX_VALUE, true, 10).isEmpty()).isTrue();
        assertThat(log.read(30, Integer.MAX_VALUE, true, Long.MAX_VALUE).isEmpty()).isTrue();
        assertThatThrownBy(() -> log.read(31, 100, true, Long.MAX_VALUE))
                .isInstanceOf(OffsetOutOfRangeException.class);
        FetchSlice slice = log.read(29, Integer.MAX_VALUE, false, Long.MAX_VALUE);
        assertThat(slice.firstOffset()).isEqualTo(27);
        assertThat(slice.sizeInBytes()).isEqualTo(size);
    }

    @Test
    void sparseIndexJumpGivesTheSameSlicesAsAWalk() throws IOException {
        PartitionLog log = open(config(Map.of(LogConfig.INDEX_INTERVAL_BYTES, "100")));
        List<Integer> sizes = appendBatches(log, 200);
        int size = sizes.get(0);
        for (int fetch = 0; fetch < 600; fetch += 37) {
            for (int maxBatches : new int[] {1, 2, 7, 50, 500}) {
                List<Long> got = baseOffsets(log.read(fetch, maxBatches * size + size / 3, false, 500));
                List<Long> expected = new ArrayList<>();
                for (long base = fetch / 3 * 3; base < 600 && base + 2 < 500 && expected.size() < maxBatches;
                     base += 3) {
                    expected.add(base);
                }
                assertThat(got).as("fetch %d max %d batches", fetch, maxBatches).isEqualTo(expected);
            }
        }
    }

    @Test
    void rollsOnSegmentBytes() throws IOException {
        int batchSize = TestBatches.batch(T0, 3).remaining();
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, String.valueOf(batchSize * 3))));
        appendBatches(log, 10);
        assertThat(log.numberOfSegments()).isEqualTo(4);
        assertThat(baseOffsets(log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE))).containsExactly(0L, 3L, 6L);
        assertThat(baseOffsets(log.read(10, Integer.MAX_VALUE, false, Long.MAX_VALUE)))
                .containsExactly(9L, 12L, 15L);
        assertThat(baseOffsets(log.read(27, Integer.MAX_VALUE, false, Long.MAX_VALUE))).containsExactly(27L);
        assertThat(partitionDir().resolve(LogFiles.offsetPrefix(9) + ".log")).exists();
        assertThat(partitionDir().resolve(LogFiles.offsetPrefix(9) + ".snapshot")).exists();
        // Rolled segments are fsynced by the scheduler, not the appending thread; their indexes trimmed on roll.
        assertThat(log.recoveryPoint()).isEqualTo(0);
        log.maybeFlushByTime(0);
        assertThat(log.recoveryPoint()).isEqualTo(27);
        assertThat(partitionDir().resolve(LogFiles.offsetPrefix(0) + ".index").toFile().length()).isLessThan(64);
    }

    @Test
    void rollsWhenAnIndexIsFull() {
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_INDEX_BYTES, "48",
                LogConfig.INDEX_INTERVAL_BYTES, "1")));
        appendBatches(log, 20);
        // 48 bytes = 4 time-index entries, one kept for the final entry: three entries per segment, the first
        // batch of a segment is never indexed, so a segment holds 4 batches.
        assertThat(log.numberOfSegments()).isEqualTo(5);
        assertThat(log.logEndOffset()).isEqualTo(60);
    }

    @Test
    void rollsOnSegmentMsUsingBatchTimestamps() {
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_MS, "1000")));
        log.appendAsLeader(TestBatches.batch(T0, 1), 0);
        log.appendAsLeader(TestBatches.batch(T0 + 1000, 1), 0);
        assertThat(log.numberOfSegments()).isEqualTo(1);
        log.appendAsLeader(TestBatches.batch(T0 + 1001, 1), 0);
        assertThat(log.numberOfSegments()).isEqualTo(2);
    }

    @Test
    void backgroundRollByTimeAndExplicitRoll() {
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_MS, "1000")));
        log.roll();
        assertThat(log.numberOfSegments()).as("rolling an empty segment is a no-op").isEqualTo(1);
        log.appendAsLeader(TestBatches.batch(T0, 1), 0);
        log.maybeRollByTime(time.milliseconds() + 1000);
        assertThat(log.numberOfSegments()).isEqualTo(1);
        log.maybeRollByTime(time.milliseconds() + 1001);
        assertThat(log.numberOfSegments()).isEqualTo(2);
        log.appendAsLeader(TestBatches.batch(T0, 1), 0);
        log.roll();
        assertThat(log.numberOfSegments()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(2);
    }

    @Test
    void offsetForTimestampFindsTheFirstRecordAtOrAfter() {
        int batchSize = TestBatches.batch(T0, 3).remaining();
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, String.valueOf(batchSize * 4),
                LogConfig.INDEX_INTERVAL_BYTES, "1")));
        // Batches of 3 records with timestamps base, base+1, base+2; bases 100 apart, compressed every other.
        for (int i = 0; i < 12; i++) {
            Compression c = i % 2 == 0 ? Compression.NONE : Compression.gzip().build();
            log.appendAsLeader(TestBatches.batch(T0 + i * 100L, 3, c), i / 4);
        }
        assertThat(log.numberOfSegments()).isGreaterThan(2);
        assertThat(log.offsetForTimestamp(T0 - 5)).contains(new TimestampOffset(T0, 0, 0));
        assertThat(log.offsetForTimestamp(T0 + 1)).contains(new TimestampOffset(T0 + 1, 1, 0));
        assertThat(log.offsetForTimestamp(T0 + 3)).contains(new TimestampOffset(T0 + 100, 3, 0));
        assertThat(log.offsetForTimestamp(T0 + 502)).contains(new TimestampOffset(T0 + 502, 17, 1));
        assertThat(log.offsetForTimestamp(T0 + 1102)).contains(new TimestampOffset(T0 + 1102, 35, 2));
        assertThat(log.offsetForTimestamp(T0 + 1103)).isEmpty();
        assertThat(log.offsetOfMaxTimestamp()).contains(new TimestampOffset(T0 + 1102, 35, 2));
    }

    @Test
    void offsetOfMaxTimestampWithOutOfOrderTimestamps() {
        PartitionLog log = open();
        assertThat(log.offsetOfMaxTimestamp()).isEmpty();
        log.appendAsLeader(TestBatches.batch(T0, 2), 0);
        log.appendAsLeader(TestBatches.batch(T0 + 500, 2), 0);
        log.appendAsLeader(TestBatches.batch(T0 + 10, 2), 0);
        log.roll();
        log.appendAsLeader(TestBatches.batch(T0 + 20, 2), 0);
        assertThat(log.offsetOfMaxTimestamp()).contains(new TimestampOffset(T0 + 501, 3, 0));
        assertThat(log.offsetForTimestamp(T0 + 15)).contains(new TimestampOffset(T0 + 500, 2, 0));
    }

    @Test
    void readReturnsWholeBatchesWhileAppendsRunConcurrently() throws Exception {
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, "20000")));
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 2000; i++) {
                log.appendAsLeader(TestBatches.batch(T0, 1 + i % 5), 0);
            }
        });
        writer.start();
        long checked = 0;
        while (writer.isAlive() || checked < log.logEndOffset()) {
            long end = log.logEndOffset();
            if (checked >= end) {
                continue;
            }
            FetchSlice slice = log.read(checked, 4096, true, Long.MAX_VALUE);
            List<MutableRecordBatch> batches = TestBatches.batches(slice);
            assertThat(batches).isNotEmpty();
            assertThat(batches.get(0).baseOffset()).isLessThanOrEqualTo(checked);
            checked = batches.get(batches.size() - 1).lastOffset() + 1;
        }
        writer.join();
        assertThat(checked).isEqualTo(log.logEndOffset());
    }
}
