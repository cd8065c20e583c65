package io.tributary.storage;

import static io.tributary.storage.CleanerTestSupport.keyed;
import static io.tributary.storage.CleanerTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.storage.CleanerTestSupport.Rec;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Which log the cleaner picks (dirty ratio, compaction lags), its progress checkpoint, throttling and map size. */
class CleanerSelectionTest extends LogTestBase {

    private static final TopicPartition OTHER = new TopicPartition("other", 0);

    private LogConfig compacted(String... keyValues) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put(LogConfig.CLEANUP_POLICY, "compact");
        overrides.put(LogConfig.FILE_DELETE_DELAY_MS, "0");
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        return config(overrides);
    }

    /** {@code segments} closed segments of one batch each, keys cycling over {@code keys}, then an active one. */
    private void fill(PartitionLog log, int segments, int keys, long timestampMs) {
        for (int i = 0; i < segments; i++) {
            log.appendAsLeader(keyed(timestampMs, "k" + (i % keys), "v" + i), 0);
            log.roll();
        }
        log.appendAsLeader(keyed(timestampMs, "active", "x"), 0);
        log.updateHighWatermark(log.logEndOffset());
    }

    @Test
    void picksTheLogWithTheHighestDirtyRatioAboveItsMinimum() throws IOException {
        LogConfig config = compacted(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.1");
        PartitionLog a = open(config);
        PartitionLog b = manager.getOrCreateLog(OTHER, TOPIC_ID, config);
        manager.updateCleanerConfig(CleanerTestSupport.cleanerConfig(1 << 16));
        LogCleaner cleaner = manager.cleaner();
        fill(a, 4, 4, T0);
        fill(b, 4, 4, T0);
        assertThat(cleaner.cleanFilthiestLog()).isTrue();
        assertThat(cleaner.cleanFilthiestLog()).isTrue();
        assertThat(cleaner.peekFilthiestLog()).as("both clean").isNull();

        // Same clean part; a gets three dirty segments, b one.
        fill(a, 3, 4, T0);
        fill(b, 1, 4, T0);
        double ratioA = CleaningCandidate.of(a, manager.cleanerCheckpoints().firstDirtyOffset(TP), Long.MAX_VALUE,
                time.milliseconds()).dirtyRatio();
        double ratioB = CleaningCandidate.of(b, manager.cleanerCheckpoints().firstDirtyOffset(OTHER),
                Long.MAX_VALUE, time.milliseconds()).dirtyRatio();
        assertThat(ratioA).isGreaterThan(ratioB).isGreaterThan(0.1);
        assertThat(cleaner.peekFilthiestLog().log()).isSameAs(a);
        assertThat(cleaner.peekFilthiestLog().dirtyRatio()).isEqualTo(ratioA);

        // Below its min.cleanable.dirty.ratio a log is left alone.
        manager.updateConfig(TP, LogConfig.from(Map.of(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.99"), a.config()));
        assertThat(cleaner.peekFilthiestLog().log()).isSameAs(b);
        manager.updateConfig(OTHER, LogConfig.from(Map.of(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, String.valueOf(
                ratioB)), b.config()));
        assertThat(cleaner.peekFilthiestLog()).as("the ratio must exceed the minimum").isNull();
    }

    @Test
    void minCompactionLagKeepsYoungSegmentsDirtyAndMaxLagForcesOldOnes() throws IOException {
        PartitionLog log = open(compacted(LogConfig.MIN_COMPACTION_LAG_MS, "10000",
                LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.99", LogConfig.MAX_COMPACTION_LAG_MS, "60000"));
        manager.updateCleanerConfig(CleanerTestSupport.cleanerConfig(1 << 16));
        fill(log, 2, 1, T0 - 20_000); // old enough
        log.roll();
        log.appendAsLeader(keyed(T0, "k0", "young"), 0); // within the min lag
        log.roll();
        log.appendAsLeader(keyed(T0, "active2", "x"), 0);
        log.updateHighWatermark(log.logEndOffset());
        long youngBase = log.segmentBaseOffsets().get(3);

        CleaningCandidate candidate = CleaningCandidate.of(log, -1, Long.MAX_VALUE, time.milliseconds());
        assertThat(candidate.firstUncleanableOffset()).isEqualTo(youngBase);
        assertThat(candidate.dirtyRatio()).isEqualTo(1.0);
        assertThat(candidate.shouldClean()).isTrue();
        Cleaner.Result result = manager.cleaner().cleanNow(log);
        assertThat(result.endOffset()).isEqualTo(youngBase);
        assertThat(readAll(log)).containsExactly(new Rec(1, "k0", "v1"), new Rec(2, "active", "x"),
                new Rec(3, "k0", "young"), new Rec(4, "active2", "x"));

        // The young segment is now old enough, but one dirty segment on a clean log is below the 0.99 ratio...
        time.advance(10_001);
        CleaningCandidate lagging = manager.cleaner().peekFilthiestLog();
        assertThat(lagging).isNull();
        // ...until its first record is older than max.compaction.lag.ms: then it is cleaned regardless.
        time.advance(60_000);
        lagging = manager.cleaner().peekFilthiestLog();
        assertThat(lagging).isNotNull();
        assertThat(lagging.lagExceeded()).isTrue();
        assertThat(lagging.dirtyRatio()).isLessThan(0.99);
        assertThat(manager.cleaner().cleanFilthiestLog()).isTrue();
        assertThat(readAll(log)).containsExactly(new Rec(2, "active", "x"), new Rec(3, "k0", "young"),
                new Rec(4, "active2", "x"));
    }

    @Test
    void progressIsCheckpointedPerLogDirAndLoweredByTruncation() throws IOException {
        PartitionLog log = open(compacted());
        manager.updateCleanerConfig(CleanerTestSupport.cleanerConfig(1 << 16));
        fill(log, 4, 2, T0);
        manager.cleaner().cleanNow(log);
        long end = log.segmentBaseOffsets().get(log.segmentBaseOffsets().size() - 1);
        assertThat(Checkpoints.readOffsets(tmp.resolve(CleanerCheckpoints.FILE_NAME))).containsEntry(TP, end);

        log = reopen(false);
        assertThat(manager.cleanerCheckpoints().firstDirtyOffset(TP)).isEqualTo(end);
        log.truncateTo(2);
        assertThat(manager.cleanerCheckpoints().firstDirtyOffset(TP)).isEqualTo(2);
        assertThat(Checkpoints.readOffsets(tmp.resolve(CleanerCheckpoints.FILE_NAME))).containsEntry(TP, 2L);
    }

    @Test
    void cleaningIsThrottledToTheConfiguredRateOnTheInjectedClock() throws IOException {
        PartitionLog log = open(compacted());
        double rate = 2000; // bytes per second
        manager.updateCleanerConfig(new CleanerConfig(true, 1, 1 << 16, 1024, 0.9, rate, 15_000));
        for (int i = 0; i < 40; i++) {
            log.appendAsLeader(keyed(T0, "k" + (i % 3), "value-" + i), 0);
            if (i % 10 == 9) {
                log.roll();
            }
        }
        log.updateHighWatermark(log.logEndOffset());
        long startMs = time.milliseconds();
        Cleaner.Result result = manager.cleaner().cleanNow(log);
        long elapsedMs = time.milliseconds() - startMs;
        long throttledBytes = result.bytesRead() + result.bytesWritten(); // at least; map building reads too
        assertThat(elapsedMs).isGreaterThanOrEqualTo((long) (throttledBytes * 1000 / rate)
                - Throttler.CHECK_INTERVAL_MS);
        assertThat(result.elapsedMs()).isEqualTo(elapsedMs);
        assertThat(manager.cleaner().throttler().sleptMs()).isEqualTo(elapsedMs);
    }

    @Test
    void aMapTooSmallForAllKeysStillMakesProgressOverSeveralPasses() throws IOException {
        PartitionLog log = open(compacted());
        // 4 slots, load factor 0.9: three keys per pass.
        manager.updateCleanerConfig(CleanerTestSupport.cleanerConfig(4 * OffsetMap.ENTRY_BYTES));
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 10; k++) {
                log.appendAsLeader(keyed(T0, "k" + k, "r" + round), 0);
            }
            log.roll();
        }
        log.appendAsLeader(keyed(T0, "active", "x"), 0);
        log.updateHighWatermark(log.logEndOffset());
        long activeBase = log.segmentBaseOffsets().get(log.segmentBaseOffsets().size() - 1);
        int passes = 0;
        long previous = -1;
        while (manager.cleanerCheckpoints().firstDirtyOffset(TP) < activeBase) {
            Cleaner.Result result = manager.cleaner().cleanNow(log);
            assertThat(result.endOffset()).as("each pass advances").isGreaterThan(previous);
            assertThat(manager.cleaner().isUncleanable(TP)).isFalse();
            previous = result.endOffset();
            passes++;
            assertThat(passes).isLessThan(30);
        }
        assertThat(passes).isGreaterThan(3);
        List<Rec> records = readAll(log);
        assertThat(records).hasSize(11);
        for (int k = 0; k < 10; k++) {
            assertThat(records.get(k)).isEqualTo(new Rec(20 + k, "k" + k, "r2"));
        }
    }

    @Test
    void aFirstDirtyOffsetInsideASegmentNotCleanableYetIsNothingToCleanAndNoBusyLoop() throws IOException {
        PartitionLog log = open(compacted());
        manager.updateCleanerConfig(CleanerTestSupport.cleanerConfig(1 << 16));
        for (String key : List.of("a", "b", "c", "d")) {
            log.appendAsLeader(keyed(T0, key, key + "1"), 0);
        }
        log.roll();
        log.appendAsLeader(keyed(T0, "z", "z"), 0);
        log.updateHighWatermark(log.logEndOffset());
        manager.cleaner().cleanNow(log);
        // A follower truncates into the cleaned segment (first dirty offset lowered to 2) and refetches; the
        // segment [0, 4) now reaches past the high watermark (2), so it is not cleanable, and 2 lies inside it.
        log.truncateTo(2);
        log.appendAsLeader(keyed(T0, "c", "c2"), 0);
        log.appendAsLeader(keyed(T0, "d", "d2"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "y", "y"), 0);
        assertThat(log.highWatermark()).isEqualTo(2);
        assertThat(manager.cleanerCheckpoints().firstDirtyOffset(TP)).isEqualTo(2);
        List<Rec> before = readAll(log);

        CleaningCandidate candidate = CleaningCandidate.of(log, 2, Long.MAX_VALUE, time.milliseconds());
        assertThat(candidate.firstUncleanableOffset()).isEqualTo(2);
        assertThat(candidate.dirtyBytes()).isZero();
        assertThat(candidate.lagExceeded()).isFalse();
        assertThat(candidate.shouldClean()).isFalse();
        assertThat(manager.cleaner().peekFilthiestLog()).isNull();
        for (int pass = 0; pass < 3; pass++) {
            assertThat(manager.cleaner().cleanFilthiestLog()).as("pass %d: nothing to clean, back off", pass)
                    .isFalse();
        }
        // Forced, it does not recopy the clean part either.
        Cleaner.Result forced = manager.cleaner().cleanNow(log);
        assertThat(forced.skipped()).isTrue();
        assertThat(forced.bytesRead()).isZero();
        assertThat(readAll(log)).isEqualTo(before);

        // Once the follower caught up, the segment is dirty and cleanable.
        log.updateHighWatermark(log.logEndOffset());
        assertThat(manager.cleaner().cleanFilthiestLog()).isTrue();
        assertThat(readAll(log)).containsExactly(new Rec(0, "a", "a1"), new Rec(1, "b", "b1"),
                new Rec(2, "c", "c2"), new Rec(3, "d", "d2"), new Rec(4, "y", "y"));
        assertThat(manager.cleanerCheckpoints().firstDirtyOffset(TP)).isEqualTo(4);
    }

    @Test
    void maxCompactionLagAlsoBoundsHowLongTheActiveSegmentOfACompactedLogStays() throws IOException {
        PartitionLog log = open(compacted(LogConfig.MAX_COMPACTION_LAG_MS, "60000"));
        PartitionLog deleting = manager.getOrCreateLog(OTHER, TOPIC_ID, config(Map.of(
                LogConfig.CLEANUP_POLICY, "delete", LogConfig.MAX_COMPACTION_LAG_MS, "60000")));
        for (PartitionLog l : List.of(log, deleting)) {
            l.appendAsLeader(keyed(T0, "a", "1"), 0);
            l.appendAsLeader(keyed(T0 + 60_000, "a", "2"), 0);
        }
        assertThat(log.numberOfSegments()).as("exactly the lag: no roll yet").isEqualTo(1);
        for (PartitionLog l : List.of(log, deleting)) {
            l.appendAsLeader(keyed(T0 + 60_001, "a", "3"), 0);
        }
        assertThat(log.numberOfSegments()).as("past max.compaction.lag.ms").isEqualTo(2);
        assertThat(deleting.numberOfSegments()).as("not compacted: segment.ms (7 days) alone").isEqualTo(1);

        // An idle active segment rolls in the background too, so its records become cleanable in time.
        time.advance(60_001);
        log.maybeRollByTime(time.milliseconds());
        deleting.maybeRollByTime(time.milliseconds());
        assertThat(log.numberOfSegments()).isEqualTo(3);
        assertThat(deleting.numberOfSegments()).isEqualTo(1);
    }
}
