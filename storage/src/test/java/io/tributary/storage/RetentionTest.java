package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.Test;

class RetentionTest extends LogTestBase {

    private final int batchSize = TestBatches.batch(T0, 3).remaining();

    private PartitionLog openWith(String... keyValues) {
        Map<String, String> overrides = new java.util.HashMap<>();
        overrides.put(LogConfig.SEGMENT_BYTES, String.valueOf(batchSize * 2));
        overrides.put(LogConfig.FILE_DELETE_DELAY_MS, "60000");
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        return open(config(overrides));
    }

    /** Two 3-record batches per segment; segment k holds timestamps around T0 + k * 1000. */
    private static void fill(PartitionLog log, int segments) {
        for (int s = 0; s < segments; s++) {
            log.appendAsLeader(TestBatches.batch(T0 + s * 1000L, 3), 0);
            log.appendAsLeader(TestBatches.batch(T0 + s * 1000L + 1, 3), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
    }

    private List<String> filesEndingWith(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
        }
    }

    @Test
    void deletesSegmentsOlderThanRetentionMsButNeverTheActiveOne() throws IOException {
        PartitionLog log = openWith(LogConfig.RETENTION_MS, "10000");
        fill(log, 4);
        assertThat(log.numberOfSegments()).isEqualTo(4);

        time.advance(11_004);
        // Newest timestamp of segment k is T0 + k*1000 + 3: segment 0 is 11001 ms old, segment 1 10001 (both
        // past 10000), segment 2 only 9001.
        assertThat(log.deleteOldSegments()).isEqualTo(2);
        assertThat(log.logStartOffset()).isEqualTo(12);
        assertThat(log.numberOfSegments()).isEqualTo(2);
        assertThatThrownBy(() -> log.read(11, 100, true, Long.MAX_VALUE))
                .isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(log.read(12, 100, true, Long.MAX_VALUE).firstOffset()).isEqualTo(12);

        time.advance(1_000_000);
        assertThat(log.deleteOldSegments()).isEqualTo(1);
        assertThat(log.numberOfSegments()).as("the active segment stays").isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(18);
    }

    @Test
    void deletedFilesLingerUntilTheDeleteDelaySoInFlightReadsFinish() throws IOException {
        PartitionLog log = openWith(LogConfig.RETENTION_MS, "10000");
        fill(log, 3);
        FetchSlice inFlight = log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE);
        time.advance(20_000);
        assertThat(log.deleteOldSegments()).isEqualTo(2);
        assertThat(filesEndingWith(".deleted")).contains(LogFiles.offsetPrefix(0) + ".log.deleted",
                LogFiles.offsetPrefix(0) + ".index.deleted", LogFiles.offsetPrefix(0) + ".timeindex.deleted");
        assertThat(TestBatches.batches(inFlight)).hasSize(2);

        assertThat(manager.deleteQueue().runDue(time.milliseconds() + 59_999)).isZero();
        assertThat(manager.deleteQueue().runDue(time.milliseconds() + 60_000)).isEqualTo(2);
        assertThat(filesEndingWith(".deleted")).isEmpty();
        assertThat(filesEndingWith(".log")).containsExactly(LogFiles.offsetPrefix(12) + ".log");
    }

    @Test
    void deletesOldestSegmentsWhileOverRetentionBytes() {
        PartitionLog log = openWith(LogConfig.RETENTION_BYTES, String.valueOf(batchSize * 3));
        fill(log, 4);
        assertThat(log.sizeInBytes()).isEqualTo(8L * batchSize);
        assertThat(log.deleteOldSegments()).isEqualTo(2);
        assertThat(log.sizeInBytes()).isEqualTo(4L * batchSize);
        assertThat(log.logStartOffset()).isEqualTo(12);
        assertThat(log.deleteOldSegments()).isZero();
    }

    @Test
    void retentionNeverDeletesDataAboveTheHighWatermark() {
        PartitionLog log = openWith(LogConfig.RETENTION_MS, "10");
        fill(log, 4);
        log.updateHighWatermark(7);
        time.advance(100_000);
        assertThat(log.deleteOldSegments()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(6);
    }

    @Test
    void deleteRecordsAdvancesLogStartAndDropsSegmentsBelowIt() {
        PartitionLog log = openWith();
        fill(log, 3);
        log.maybeIncrementLogStartOffset(14);
        assertThat(log.logStartOffset()).isEqualTo(14);
        assertThat(log.numberOfSegments()).as("segments [0,6) and [6,12) are below 14").isEqualTo(1);
        assertThat(log.read(14, 1, true, Long.MAX_VALUE).firstOffset()).isEqualTo(12);
        log.maybeIncrementLogStartOffset(3);
        assertThat(log.logStartOffset()).isEqualTo(14);
        assertThatThrownBy(() -> log.maybeIncrementLogStartOffset(19))
                .isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(log.offsetForTimestamp(T0)).get().extracting(TimestampOffset::offset).isEqualTo(14L);
    }

    @Test
    void retentionAdvancesLeaderEpochCacheStart() {
        PartitionLog log = openWith(LogConfig.RETENTION_MS, "10");
        log.appendAsLeader(TestBatches.batch(T0, 3), 1);
        log.appendAsLeader(TestBatches.batch(T0, 3), 2);
        log.appendAsLeader(TestBatches.batch(T0, 3), 2);
        log.appendAsLeader(TestBatches.batch(T0, 3), 3);
        log.updateHighWatermark(12);
        time.advance(1000);
        assertThat(log.deleteOldSegments()).isEqualTo(1);
        assertThat(log.epochEntries()).containsExactly(new LeaderEpochCache.Entry(2, 6),
                new LeaderEpochCache.Entry(3, 9));
    }
}
