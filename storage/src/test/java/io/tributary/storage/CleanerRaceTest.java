package io.tributary.storage;

import static io.tributary.storage.CleanerTestSupport.keyed;
import static io.tributary.storage.CleanerTestSupport.latestByKey;
import static io.tributary.storage.CleanerTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.storage.CleanerTestSupport.Rec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The cleaner against everything else that changes a log while it works on it: truncation, DeleteRecords,
 * retention, deletion and recreation of the partition, and a swap failing half-way. Each test drives the race
 * deterministically from the {@link SegmentSwap.Hook} (called on the cleaning thread between writing a group's
 * cleaned segment and swapping it in).
 */
class CleanerRaceTest extends LogTestBase {

    private PartitionLog openCompacted(String... keyValues) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put(LogConfig.CLEANUP_POLICY, "compact");
        overrides.put(LogConfig.FILE_DELETE_DELAY_MS, "0"); // deleted segments are closed at once
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        PartitionLog log = open(config(overrides));
        manager.updateCleanerConfig(CleanerTestSupport.cleanerConfig(1 << 16));
        return log;
    }

    private static void onCleanedWritten(LogManager manager, long groupBase, Runnable action) {
        manager.cleaner().setHook((step, base) -> {
            if (step == SegmentSwap.Step.CLEANED_WRITTEN && base == groupBase) {
                action.run();
            }
        });
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(partitionDir())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SegmentSwap.CLEANED_SUFFIX) || n.endsWith(SegmentSwap.SWAP_SUFFIX))
                    .toList();
        }
    }

    // ---------------------------------------------------------------- truncation

    @Test
    void aTruncationWhileCleaningRefusesTheSwapEvenIfTheSegmentWasRefilledToTheSameSize() throws IOException {
        PartitionLog log = openCompacted();
        log.appendAsLeader(keyed(T0, "a", "a1"), 0);
        log.appendAsLeader(keyed(T0, "b", "b1"), 0);
        log.appendAsLeader(keyed(T0, "a", "a2"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "z", "z1"), 0);
        log.updateHighWatermark(log.logEndOffset());
        LogSegment first = log.segmentsForCleaning().firstEntry().getValue();
        int sizeRead = first.sizeInBytes();
        onCleanedWritten(manager, 0, () -> {
            // A new leader diverged at offset 1: truncate, fetch its records (same sizes, other values), roll.
            log.truncateTo(1);
            log.appendAsLeader(keyed(T0, "b", "B1"), 0);
            log.appendAsLeader(keyed(T0, "a", "A2"), 0);
            log.roll();
            // Same object, not active, same size: only the truncation count tells the cleaned copy is stale.
            assertThat(log.segmentsForCleaning().firstEntry().getValue()).isSameAs(first);
            assertThat(first.sizeInBytes()).isEqualTo(sizeRead);
        });

        Cleaner.Result result = manager.cleaner().cleanNow(log);

        assertThat(result.groupsSwapped()).isZero();
        assertThat(result.groupsAbandoned()).isEqualTo(1);
        assertThat(readAll(log)).containsExactly(new Rec(0, "a", "a1"), new Rec(1, "b", "B1"),
                new Rec(2, "a", "A2"));
        assertThat(manager.cleanerCheckpoints().firstDirtyOffset(TP)).isEqualTo(-1);
        assertThat(manager.cleaner().isUncleanable(TP)).isFalse();
        assertThat(leftovers()).isEmpty();

        manager.cleaner().setHook(SegmentSwap.Hook.NONE);
        log.updateHighWatermark(log.logEndOffset());
        manager.cleaner().cleanNow(log);
        assertThat(readAll(log)).containsExactly(new Rec(1, "b", "B1"), new Rec(2, "a", "A2"));
    }

    // ---------------------------------------------------------------- segments removed under the reader

    /** Three one-batch segments of one key, each its own group, and an active segment. */
    private PartitionLog threeGroups(String... keyValues) {
        PartitionLog log = openCompacted(keyValues);
        for (int s = 0; s < 3; s++) {
            log.appendAsLeader(keyed(T0, "k", "v" + s), 0);
            log.roll();
        }
        log.appendAsLeader(keyed(T0, "z", "z"), 0);
        log.updateHighWatermark(log.logEndOffset());
        // segment.bytes of one segment: no two of them fit one cleaned segment.
        int segmentBytes = log.segmentsForCleaning().firstEntry().getValue().sizeInBytes();
        manager.updateConfig(TP, LogConfig.from(Map.of(LogConfig.SEGMENT_BYTES, String.valueOf(segmentBytes)),
                log.config()));
        return log;
    }

    /**
     * While group 0 waits for its swap, {@code race} changes the log under the cleaner, which then reads group 1:
     * the cleaning is aborted (not marked failed) and the next pass works.
     */
    private void raceAbortsTheCleaning(PartitionLog log, Consumer<PartitionLog> race) throws IOException {
        onCleanedWritten(manager, 0, () -> race.accept(log));

        assertThat(manager.cleaner().cleanNow(log)).as("aborted").isNull();

        assertThat(manager.cleaner().isUncleanable(TP)).as("a race is not a broken log").isFalse();
        assertThat(leftovers()).isEmpty();
        manager.cleaner().setHook(SegmentSwap.Hook.NONE);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(manager.cleaner().cleanNow(log)).isNotNull();
        List<Rec> records = readAll(log);
        assertThat(records).hasSameSizeAs(latestByKey(records).values());
    }

    @Test
    void deleteRecordsRemovingTheSegmentBeingReadAbortsTheCleaning() throws IOException {
        PartitionLog log = threeGroups();
        raceAbortsTheCleaning(log, l -> l.maybeIncrementLogStartOffset(2)); // segments 0 and 1 closed now
        assertThat(readAll(log)).containsExactly(new Rec(2, "k", "v2"), new Rec(3, "z", "z"));
    }

    @Test
    void retentionRemovingTheSegmentBeingReadAbortsTheCleaning() throws IOException {
        PartitionLog log = threeGroups(LogConfig.CLEANUP_POLICY, "compact,delete", LogConfig.RETENTION_MS, "60000");
        raceAbortsTheCleaning(log, l -> {
            time.advance(60_001);
            assertThat(l.deleteOldSegments()).isEqualTo(3);
        });
        assertThat(readAll(log)).containsExactly(new Rec(3, "z", "z"));
    }

    @Test
    void aTruncationShorteningTheSegmentBeingReadAbortsTheCleaning() throws IOException {
        PartitionLog log = threeGroups();
        raceAbortsTheCleaning(log, l -> l.truncateTo(1)); // segment 1 now empty and active
        assertThat(readAll(log)).containsExactly(new Rec(0, "k", "v0"));
    }

    // ---------------------------------------------------------------- deleted and recreated partitions

    /** Flips the last byte of the segment's file (inside the last record): its batch fails the CRC check. */
    private static void corruptLastByte(LogSegment segment) throws IOException {
        try (FileChannel channel = FileChannel.open(segment.logFile(), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            long at = channel.size() - 1;
            channel.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            channel.write(b, at);
        }
    }

    /** k0 four times in segment [0, 4), k1 twice in [4, 6), then an active segment: cleaned it is v3, v5, z. */
    private static void fillRecreated(PartitionLog log) {
        for (int i = 0; i < 6; i++) {
            log.appendAsLeader(keyed(T0, i < 4 ? "k0" : "k1", "v" + i), 0);
            if (i == 3 || i == 5) {
                log.roll();
            }
        }
        log.appendAsLeader(keyed(T0, "z", "z"), 0);
        log.updateHighWatermark(log.logEndOffset());
    }

    private static final List<Rec> RECREATED_CLEANED = List.of(new Rec(3, "k0", "v3"), new Rec(5, "k1", "v5"),
            new Rec(6, "z", "z"));

    @Test
    void aDeletedPartitionLeavesNoCleanerStateForTheOneRecreatedUnderItsName() throws IOException {
        PartitionLog log = openCompacted(LogConfig.DELETE_RETENTION_MS, "600000");
        LogConfig config = log.config();
        log.appendAsLeader(keyed(T0, "a", "a1", "b", "b1"), 0);
        log.appendAsLeader(keyed(T0, "a", "a2", "b", null), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "c", "c1"), 0);
        log.updateHighWatermark(log.logEndOffset());
        manager.cleaner().cleanNow(log);
        assertThat(manager.cleanerCheckpoints().firstDirtyOffset(TP)).isEqualTo(4);
        assertThat(manager.cleaner().tombstoneHorizonMs(TP)).isEqualTo(T0 + 600_000);
        // A corrupt batch in a live, unchanged segment is a broken log: marked uncleanable.
        log.roll();
        log.appendAsLeader(keyed(T0, "z", "z"), 0);
        log.updateHighWatermark(log.logEndOffset());
        corruptLastByte(log.segmentsForCleaning().get(4L));
        assertThat(manager.cleaner().cleanNow(log)).isNull();
        assertThat(manager.cleaner().isUncleanable(TP)).isTrue();

        manager.deleteLog(TP);

        assertThat(manager.cleanerCheckpoints().firstDirtyOffset(TP)).isEqualTo(-1);
        assertThat(Checkpoints.readOffsets(tmp.resolve(CleanerCheckpoints.FILE_NAME))).doesNotContainKey(TP);
        assertThat(manager.cleaner().isUncleanable(TP)).isFalse();
        assertThat(manager.cleaner().tombstoneHorizonMs(TP)).isEqualTo(Long.MAX_VALUE);
        PartitionLog recreated = manager.getOrCreateLog(TP, TOPIC_ID, config);
        fillRecreated(recreated);
        assertThat(manager.cleaner().cleanFilthiestLog()).isTrue();
        assertThat(readAll(recreated)).isEqualTo(RECREATED_CLEANED);
    }

    @Test
    void aCleaningStillRunningWhenItsLogIsDeletedRecordsNothingForTheRecreatedOne() throws IOException {
        PartitionLog log = openCompacted();
        LogConfig config = log.config();
        for (int i = 0; i < 4; i++) {
            log.appendAsLeader(keyed(T0, "old" + (i % 2), "x" + i), 0);
        }
        log.roll();
        log.appendAsLeader(keyed(T0, "z", "z"), 0);
        log.updateHighWatermark(log.logEndOffset());
        List<PartitionLog> recreated = new ArrayList<>();
        onCleanedWritten(manager, 0, () -> {
            manager.deleteLog(TP);
            PartitionLog fresh = manager.getOrCreateLog(TP, TOPIC_ID, config);
            fillRecreated(fresh);
            recreated.add(fresh);
        });

        Cleaner.Result result = manager.cleaner().cleanNow(log);

        assertThat(result.groupsSwapped()).isZero();
        assertThat(manager.cleanerCheckpoints().firstDirtyOffset(TP)).as("the deleted log's progress").isEqualTo(-1);
        manager.cleaner().setHook(SegmentSwap.Hook.NONE);
        PartitionLog fresh = recreated.get(0);
        manager.cleaner().cleanNow(fresh);
        assertThat(readAll(fresh)).isEqualTo(RECREATED_CLEANED);
    }

    // ---------------------------------------------------------------- a failing swap

    private List<Path> openFilesUnder(Path dir) throws IOException {
        List<Path> open = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(dir)) {
                        open.add(target);
                    }
                } catch (IOException e) {
                    // closed meanwhile (the listing's own descriptor, for one)
                }
            }
        }
        return open;
    }

    @Test
    void aSwapFailingBeforeTheCleanedSegmentJoinsTheLogClosesItsFile() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc to list open files");
        PartitionLog log = openCompacted();
        log.appendAsLeader(keyed(T0, "a", "a1"), 0);
        log.appendAsLeader(keyed(T0, "a", "a2"), 0);
        log.roll();
        log.appendAsLeader(keyed(T0, "z", "z"), 0);
        log.updateHighWatermark(log.logEndOffset());
        manager.cleaner().setHook((step, base) -> {
            if (step == SegmentSwap.Step.INDEXES_SWAPPED) {
                throw new IOException("simulated failure renaming the cleaned log file");
            }
        });
        Path dir = partitionDir().toRealPath();

        assertThat(manager.cleaner().cleanNow(log)).isNull();

        assertThat(log.isOffline()).as("a failed swap takes the log dir offline").isTrue();
        assertThat(openFilesUnder(dir)).as("open files of the partition").noneMatch(
                p -> p.toString().endsWith(SegmentSwap.CLEANED_SUFFIX)
                        || p.toString().endsWith(SegmentSwap.SWAP_SUFFIX));
        assertThat(openFilesUnder(dir)).as("the live segments are still open").isNotEmpty();
    }
}
