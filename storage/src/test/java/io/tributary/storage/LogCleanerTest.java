package io.tributary.storage;

import static io.tributary.storage.CleanerTestSupport.keyed;
import static io.tributary.storage.CleanerTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tributary.storage.CleanerTestSupport.Rec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogCleanerTest extends LogTestBase {

    private PartitionLog openCompacted(String... keyValues) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put(LogConfig.CLEANUP_POLICY, "compact");
        overrides.put(LogConfig.SEGMENT_BYTES, "100000");
        overrides.put(LogConfig.FILE_DELETE_DELAY_MS, "60000");
        overrides.put(LogConfig.INDEX_INTERVAL_BYTES, "100");
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        PartitionLog log = open(config(overrides));
        manager.updateCleanerConfig(CleanerTestSupport.cleanerConfig(1 << 20));
        return log;
    }

    private Cleaner.Result clean(PartitionLog log) {
        log.updateHighWatermark(log.logEndOffset());
        return manager.cleaner().cleanNow(log);
    }

    @Test
    void keepsTheLatestValueOfEveryKeyAtItsOriginalOffsetAndNeverTouchesTheActiveSegment() throws IOException {
        PartitionLog log = openCompacted();
        log.appendAsLeader(keyed(T0, "a", "a1", "b", "b1", "c", "c1"), 0);
        log.appendAsLeader(keyed(T0, "a", "a2"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "b", "b2", "d", "d1"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "a", "a3", "d", "d2"), 0); // active: stays as is
        long activeBase = log.segmentBaseOffsets().get(2);

        Cleaner.Result result = clean(log);

        assertThat(result.endOffset()).isEqualTo(activeBase);
        assertThat(readAll(log)).containsExactly(
                new Rec(2, "c", "c1"), new Rec(3, "a", "a2"), new Rec(4, "b", "b2"), new Rec(5, "d", "d1"),
                new Rec(6, "a", "a3"), new Rec(7, "d", "d2"));
        assertThat(log.segmentBaseOffsets()).as("two small cleaned segments merge into one")
                .containsExactly(0L, activeBase);
        assertThat(log.logEndOffset()).isEqualTo(8);
        assertThat(manager.cleanerCheckpoints().firstDirtyOffset(TP)).isEqualTo(activeBase);
    }

    @Test
    void cleaningTheSameKeyOverAndOverDoesNotGrowTheLog() throws IOException {
        // A group coordinator's offsets topic: one key rewritten forever, with segments small enough that a
        // pass cleans several groups. A group whose last batch is superseded keeps it as an empty header; the
        // next pass must drop that header once it is no longer a group's last, or headers pile up forever.
        PartitionLog log = openCompacted(LogConfig.SEGMENT_BYTES, "250");
        String pad = "p".repeat(60);
        long settledBytes = -1;
        for (int round = 0; round < 30; round++) {
            String value = String.format("v%03d", round) + pad;
            log.appendAsLeader(keyed(T0, "offsets", value), 0);
            log.roll();
            clean(log);
            assertThat(readAll(log)).containsExactly(new Rec(round, "offsets", value));
            if (round == 5) {
                settledBytes = log.sizeInBytes();
            } else if (round > 5) {
                assertThat(log.sizeInBytes()).as("size after round %d", round).isLessThanOrEqualTo(settledBytes);
            }
        }
    }

    @Test
    void aFullDiskWhileCleaningTakesTheDirectoryOfflineAndLosesNothing() throws IOException {
        PartitionLog log = openCompacted();
        log.appendAsLeader(keyed(T0, "a", "a1", "b", "b1"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "a", "a2", "c", "c1"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "d", "d1"), 0);
        List<Rec> before = readAll(log);
        try {
            DiskFaults.fillUpAfter(tmp, 10);
            assertThat(clean(log)).isNull();
            assertThat(log.isOffline()).isTrue();
            assertThat(manager.isOffline(tmp)).isTrue();
        } finally {
            DiskFaults.clear();
        }

        PartitionLog reopened = reopen(false);
        assertThat(readAll(reopened)).as("recovery drops the half-written .cleaned segment").isEqualTo(before);
        try (Stream<Path> files = Files.list(partitionDir())) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .noneMatch(name -> name.endsWith(".cleaned") || name.endsWith(".swap"));
        }
        manager.updateCleanerConfig(CleanerTestSupport.cleanerConfig(1 << 20));
        clean(reopened);
        assertThat(readAll(reopened)).extracting(Rec::key).containsExactly("b", "a", "c", "d");
    }

    @Test
    void cleaningIsDurableAndTheRebuiltIndexesServeReadsAndTimestampLookups() throws IOException {
        PartitionLog log = openCompacted(LogConfig.INDEX_INTERVAL_BYTES, "0");
        for (int i = 0; i < 30; i++) {
            log.appendAsLeader(keyed(T0 + i * 10L, "k" + (i % 5), "v" + i), 0);
            if (i % 7 == 6) {
                log.roll();
            }
        }
        log.roll();
        clean(log);
        List<Rec> after = readAll(log);
        assertThat(after).extracting(Rec::offset).containsExactly(25L, 26L, 27L, 28L, 29L);
        for (Rec rec : after) {
            assertThat(log.read(rec.offset(), 1, true, Long.MAX_VALUE).firstOffset()).isEqualTo(rec.offset());
            assertThat(log.offsetForTimestamp(T0 + rec.offset() * 10).orElseThrow().offset()).isEqualTo(rec.offset());
        }
        assertThat(log.read(3, 1, true, Long.MAX_VALUE).firstOffset()).as("a gap reads the next survivor")
                .isEqualTo(25);

        PartitionLog reopened = reopen(true);
        assertThat(readAll(reopened)).isEqualTo(after);
        reopened = reopen(false);
        assertThat(readAll(reopened)).isEqualTo(after);
    }

    @Test
    void retentionByTimeAndSizeOnlyAppliesWithTheDeletePolicy() throws IOException {
        PartitionLog log = openCompacted(LogConfig.RETENTION_MS, "1000", LogConfig.RETENTION_BYTES, "1");
        log.appendAsLeader(keyed(T0, "a", "1"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "b", "1"), 0);
        log.updateHighWatermark(log.logEndOffset());
        time.advance(10_000);
        assertThat(log.deleteOldSegments()).isZero();

        manager.updateConfig(TP, LogConfig.from(Map.of(LogConfig.CLEANUP_POLICY, "compact,delete"), log.config()));
        assertThat(log.deleteOldSegments()).isEqualTo(1);
    }

    @Test
    void neverCleansSegmentsReachingPastTheHighWatermark() throws IOException {
        PartitionLog log = openCompacted();
        log.appendAsLeader(keyed(T0, "a", "1"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "a", "2"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "a", "3"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "a", "4"), 0);
        log.updateHighWatermark(2); // inside the second segment [1, 2)? no: segments are [0,1) [1,2) [2,3) [3,..)
        Cleaner.Result result = manager.cleaner().cleanNow(log);
        assertThat(result.endOffset()).as("segments ending above the high watermark stay dirty").isEqualTo(2);
        assertThat(readAll(log)).extracting(Rec::offset).containsExactly(1L, 2L, 3L);
    }

    @Test
    void tombstonesStayForDeleteRetentionMsAfterTheirFirstCleaningThenGo() throws IOException {
        PartitionLog log = openCompacted(LogConfig.DELETE_RETENTION_MS, "5000");
        log.appendAsLeader(keyed(T0, "a", "1", "b", "1"), 0);
        log.appendAsLeader(keyed(T0, "a", null), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "c", "1"), 0);
        clean(log);
        assertThat(readAll(log)).containsExactly(new Rec(1, "b", "1"), new Rec(2, "a", null), new Rec(3, "c", "1"));
        MutableRecordBatch tombstoneBatch = CleanerTestSupport.allBatches(log).get(1);
        assertThat(tombstoneBatch.deleteHorizonMs()).hasValue(T0 + 5000);

        time.advance(4999);
        assertThat(manager.cleaner().peekFilthiestLog()).as("nothing dirty, horizon not reached").isNull();
        clean(log);
        assertThat(readAll(log)).contains(new Rec(2, "a", null));

        time.advance(1);
        CleaningCandidate due = manager.cleaner().peekFilthiestLog();
        assertThat(due).isNotNull();
        assertThat(due.horizonDue()).isTrue();
        assertThat(manager.cleaner().cleanFilthiestLog()).isTrue();
        assertThat(readAll(log)).containsExactly(new Rec(1, "b", "1"), new Rec(3, "c", "1"));
        assertThat(log.logEndOffset()).isEqualTo(4);
    }

    @Test
    void rewrittenBatchesKeepTheirCodecHeadersTimestampsAndProducerFields() throws IOException {
        PartitionLog log = openCompacted();
        Compression[] codecs = {Compression.gzip().build(), Compression.lz4().build(), Compression.zstd().build()};
        long producerId = 77;
        for (int i = 0; i < codecs.length; i++) {
            log.appendAsLeader(CleanerTestSupport.keyed(T0 + i * 100, codecs[i], producerId, (short) 3, i * 2,
                    "x" + i, "old", "y" + i, "keep" + i), 5);
        }
        for (int i = 0; i < codecs.length; i++) {
            log.appendAsLeader(keyed(T0 + 1000, "x" + i, "new"), 5);
        }
        log.appendAsLeader(CleanerTestSupport.keyed(T0 + 2000, Compression.NONE, producerId, (short) 3, 6,
                "z", "1"), 5);
        log.roll();
        clean(log);

        List<MutableRecordBatch> batches = CleanerTestSupport.allBatches(log);
        for (int i = 0; i < codecs.length; i++) {
            MutableRecordBatch batch = batches.get(i);
            assertThat(batch.compressionType()).isEqualTo(codecs[i].type());
            assertThat(batch.baseOffset()).isEqualTo(i * 2L);
            assertThat(batch.lastOffset()).as("last offset (and so the last sequence) kept").isEqualTo(i * 2L + 1);
            assertThat(batch.producerId()).isEqualTo(producerId);
            assertThat(batch.producerEpoch()).isEqualTo((short) 3);
            assertThat(batch.baseSequence()).isEqualTo(i * 2);
            assertThat(batch.partitionLeaderEpoch()).isEqualTo(5);
            List<Record> records = new java.util.ArrayList<>();
            batch.forEach(records::add);
            assertThat(records).hasSize(1);
            Record kept = records.get(0);
            assertThat(kept.offset()).isEqualTo(i * 2L + 1);
            assertThat(CleanerTestSupport.string(kept.key())).isEqualTo("y" + i);
            assertThat(kept.timestamp()).isEqualTo(T0 + i * 100 + 1);
            assertThat(kept.headers()).hasSize(1);
            assertThat(new String(kept.headers()[0].value())).isEqualTo("hv-y" + i);
        }
        assertThat(batches.get(3).compressionType()).isEqualTo(CompressionType.NONE);
    }

    @Test
    void theLastBatchOfALiveProducerSurvivesEmptySoItsSequenceContinues() throws IOException {
        PartitionLog log = openCompacted();
        long producerId = 9;
        log.appendAsLeader(CleanerTestSupport.keyed(T0, Compression.NONE, producerId, (short) 0, 0, "a", "1"), 0);
        log.appendAsLeader(keyed(T0, "a", "2"), 0);
        log.roll();
        clean(log);
        List<MutableRecordBatch> batches = CleanerTestSupport.allBatches(log);
        assertThat(batches.get(0).producerId()).isEqualTo(producerId);
        assertThat(batches.get(0).countOrNull()).isZero();
        assertThat(readAll(log)).containsExactly(new Rec(1, "a", "2"));

        // After a crash the producer state is rebuilt from the log: the empty batch still carries sequence 0.
        for (long offset : log.producerState().snapshotOffsets()) {
            Files.deleteIfExists(LogFiles.snapshotFile(partitionDir(), offset));
        }
        PartitionLog reopened = reopen(false);
        LogAppendInfo next = reopened.appendAsLeader(CleanerTestSupport.keyed(T0, Compression.NONE, producerId,
                (short) 0, 1, "b", "1"), 0);
        assertThat(next.duplicate()).isFalse();
        assertThat(next.firstOffset()).isEqualTo(2);
    }

    @Test
    void aFetchSliceOfAnOldSegmentStaysReadableAcrossTheSwap() throws IOException {
        PartitionLog log = openCompacted();
        log.appendAsLeader(keyed(T0, "a", "1", "b", "1"), 0);
        log.appendAsLeader(keyed(T0, "a", "2"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "b", "2"), 0);
        FetchSlice inFlight = log.read(0, 1 << 20, true, Long.MAX_VALUE);
        java.nio.ByteBuffer before = TestBatches.bytes(inFlight);

        clean(log);
        assertThat(filesEndingWith(".log.deleted")).isNotEmpty();
        assertThat(TestBatches.bytes(inFlight)).isEqualTo(before);
        assertThat(TestBatches.batches(inFlight)).hasSize(2);

        manager.deleteQueue().runDue(time.milliseconds() + 60_000);
        assertThat(filesEndingWith(".deleted")).isEmpty();
        // b=2 is in the active segment, which the offset map never covers, so b=1 stays until it rolls.
        assertThat(readAll(log)).containsExactly(new Rec(1, "b", "1"), new Rec(2, "a", "2"), new Rec(3, "b", "2"));
    }

    @Test
    void logsOneInfoLineInTheBenchmarkFormat() throws IOException {
        Logger logger = (Logger) LoggerFactory.getLogger(LogCleaner.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            PartitionLog log = openCompacted();
            log.appendAsLeader(keyed(T0, "a", "1", "b", "1"), 0);
            log.appendAsLeader(keyed(T0, "a", "2"), 0);
            log.roll();
            Cleaner.Result result = clean(log);
            List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("Cleaned log ")).toList();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).matches(
                    "Cleaned log orders-0: read \\d+ bytes, wrote \\d+ bytes, 3 records read, 2 kept, in \\d+ ms");
            assertThat(result.bytesWritten()).isLessThan(result.bytesRead());
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(level);
        }
    }

    private List<String> filesEndingWith(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
        }
    }
}
