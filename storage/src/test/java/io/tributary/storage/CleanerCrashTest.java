package io.tributary.storage;

import static io.tributary.storage.CleanerTestSupport.keyed;
import static io.tributary.storage.CleanerTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.storage.CleanerTestSupport.Rec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes the broker at every observable step of a segment swap ({@link SegmentSwap.Step}) and checks that
 * recovery yields exactly the log before the cleaning (crash before the commit point) or exactly the log after it.
 */
class CleanerCrashTest {

    private static final TopicPartition TP = new TopicPartition("crash", 0);
    private static final long T0 = 1_700_000_000_000L;

    /** Thrown from the hook: an Error, so no cleanup code of the cleaner runs, as in a real crash. */
    private static final class Crash extends Error {
        Crash() {
            super("simulated crash", null, false, false);
        }
    }

    @TempDir
    Path tmp;

    private final ManualTime time = new ManualTime(T0);

    private record Run(List<SegmentSwap.Step> steps, List<Rec> records, List<Long> segments) {
    }

    private LogConfig config(int segmentBytes) {
        return LogConfig.from(Map.of(LogConfig.CLEANUP_POLICY, "compact", LogConfig.SEGMENT_BYTES,
                String.valueOf(segmentBytes), LogConfig.FILE_DELETE_DELAY_MS, "60000",
                LogConfig.INDEX_INTERVAL_BYTES, "50"), LogConfig.DEFAULTS);
    }

    /** Four small segments with overwritten keys and a tombstone, then an active segment. */
    private static void fill(PartitionLog log) {
        for (int s = 0; s < 4; s++) {
            log.appendAsLeader(keyed(T0 + s, "a", "a" + s, "b" + s, "x"), 0);
            log.appendAsLeader(keyed(T0 + s, "c", s == 2 ? null : "c" + s, "a", "a" + s + "'"), 0);
            log.roll();
        }
        log.appendAsLeader(keyed(T0 + 9, "z", "z"), 0);
        log.updateHighWatermark(log.logEndOffset());
    }

    private LogManager openManager(Path dir, LogConfig config) {
        LogManager manager = LogManager.open(List.of(dir), config, time);
        manager.updateCleanerConfig(CleanerTestSupport.cleanerConfig(1 << 16));
        return manager;
    }

    /** Builds the log in {@code dir}, cleans it, crashing at hook call {@code crashAt} (0 = never). */
    private Run run(Path dir, LogConfig config, int crashAt, List<Rec> before) throws IOException {
        LogManager manager = openManager(dir, config);
        PartitionLog log = manager.getOrCreateLog(TP, Uuid.randomUuid(), config);
        fill(log);
        if (before != null) {
            assertThat(readAll(log)).isEqualTo(before);
        }
        List<SegmentSwap.Step> steps = new ArrayList<>();
        manager.cleaner().setHook((step, base) -> {
            steps.add(step);
            if (steps.size() == crashAt) {
                throw new Crash();
            }
        });
        if (crashAt > 0) {
            assertThatThrownBy(() -> manager.cleaner().cleanNow(log)).isInstanceOf(Crash.class);
            manager.closeAbruptly();
            LogManager recovered = openManager(dir, config);
            try {
                PartitionLog reopened = recovered.log(TP);
                assertThat(leftovers(dir.resolve("crash-0"))).isEmpty();
                return new Run(steps, readAll(reopened), reopened.segmentBaseOffsets());
            } finally {
                recovered.close();
            }
        }
        manager.cleaner().cleanNow(log);
        Run result = new Run(steps, readAll(log), log.segmentBaseOffsets());
        manager.close();
        return result;
    }

    private static List<String> leftovers(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".cleaned") || n.endsWith(".swap") || n.endsWith(".deleted")).toList();
        }
    }

    private List<Rec> beforeState(LogConfig config) throws IOException {
        LogManager manager = openManager(tmp.resolve("before"), config);
        PartitionLog log = manager.getOrCreateLog(TP, Uuid.randomUuid(), config);
        fill(log);
        List<Rec> records = readAll(log);
        manager.close();
        return records;
    }

    @Test
    void aCrashAtAnyStepOfASingleGroupSwapRecoversToExactlyTheOldOrTheNewLog() throws IOException {
        LogConfig config = config(100_000);
        List<Rec> before = beforeState(config);
        Run reference = run(tmp.resolve("reference"), config, 0, before);
        assertThat(reference.records()).isNotEqualTo(before);
        assertThat(reference.steps()).containsExactly(SegmentSwap.Step.CLEANED_WRITTEN,
                SegmentSwap.Step.INDEXES_SWAPPED, SegmentSwap.Step.LOG_SWAPPED, SegmentSwap.Step.OLD_SEGMENT_RETIRED,
                SegmentSwap.Step.OLD_SEGMENT_RETIRED, SegmentSwap.Step.OLD_SEGMENT_RETIRED,
                SegmentSwap.Step.OLD_SEGMENT_RETIRED, SegmentSwap.Step.INDEXES_RENAMED, SegmentSwap.Step.COMPLETED);

        for (int k = 1; k <= reference.steps().size(); k++) {
            SegmentSwap.Step step = reference.steps().get(k - 1);
            Run crashed = run(tmp.resolve("crash-at-" + k), config, k, before);
            boolean committed = step.ordinal() >= SegmentSwap.Step.LOG_SWAPPED.ordinal();
            assertThat(crashed.records()).as("crash after step %d (%s)", k, step)
                    .isEqualTo(committed ? reference.records() : before);
            if (committed) {
                assertThat(crashed.segments()).as("crash after step %d (%s)", k, step)
                        .isEqualTo(reference.segments());
            } else {
                assertThat(crashed.segments()).as("crash after step %d (%s)", k, step).hasSize(5);
            }
        }
    }

    @Test
    void aCrashInAMultiGroupCleaningLeavesEachGroupOldOrNewAndCleaningAgainFinishesTheJob() throws IOException {
        LogConfig config = config(200); // each group fits about two of the small segments
        List<Rec> before = beforeState(config);
        Run reference = run(tmp.resolve("reference"), config, 0, before);
        assertThat(reference.steps().stream().filter(s -> s == SegmentSwap.Step.COMPLETED).count())
                .as("several groups").isGreaterThan(1);
        for (int k = 1; k <= reference.steps().size(); k++) {
            Path dir = tmp.resolve("multi-" + k);
            run(dir, config, k, before);
            LogManager manager = openManager(dir, config);
            try {
                PartitionLog log = manager.log(TP);
                List<Rec> recovered = readAll(log);
                assertThat(before).as("crash at %d: nothing invented", k).containsAll(recovered);
                assertThat(recovered).as("crash at %d: every survivor of the full cleaning is there", k)
                        .containsAll(reference.records());
                log.updateHighWatermark(log.logEndOffset()); // the crash lost the checkpointed high watermark
                manager.cleaner().cleanNow(log);
                assertThat(readAll(log)).as("crash at %d, cleaned again", k).isEqualTo(reference.records());
            } finally {
                manager.close();
            }
        }
    }
}
