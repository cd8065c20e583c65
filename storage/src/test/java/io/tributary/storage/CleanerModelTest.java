package io.tributary.storage;

import static io.tributary.storage.CleanerTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.storage.CleanerTestSupport.Rec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;

/**
 * Seeded random histories of keyed writes, tombstones, DeleteRecords, rolls, cleanings (with offset maps from
 * tiny to roomy), clock jumps and clean or crashing restarts, checked after each step against the list of every
 * record ever written. The seed is in every assertion message; rerun one with {@code -Dcleaner.seed=<seed>}.
 */
class CleanerModelTest {

    private static final TopicPartition TP = new TopicPartition("model", 0);
    private static final long T0 = 1_700_000_000_000L;
    private static final int HISTORIES = 25;
    private static final long DELETE_RETENTION_MS = 2000;

    @Test
    void cleaningKeepsTheLatestValueOfEveryKeyAndChangesNothingElse() throws IOException {
        String fixed = System.getProperty("cleaner.seed");
        long baseSeed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        int histories = fixed != null ? 1 : HISTORIES;
        long removed = 0;
        for (int i = 0; i < histories; i++) {
            long seed = baseSeed + i;
            try {
                removed += runHistory(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("Failed with -Dcleaner.seed=" + seed + ": " + e.getMessage(), e);
            }
        }
        assertThat(removed).as("the histories compacted something (seed %d)", baseSeed).isPositive();
    }

    /** Runs one history; returns how many records compaction removed by its end. */
    private long runHistory(long seed) throws IOException {
        Random random = new Random(seed);
        Path dir = Files.createTempDirectory("tributary-cleaner-model");
        ManualTime time = new ManualTime(T0);
        LogConfig config = LogConfig.from(Map.of(LogConfig.CLEANUP_POLICY, "compact",
                LogConfig.SEGMENT_BYTES, String.valueOf(250 + random.nextInt(1200)),
                LogConfig.INDEX_INTERVAL_BYTES, String.valueOf(random.nextInt(200)),
                LogConfig.DELETE_RETENTION_MS, String.valueOf(DELETE_RETENTION_MS),
                LogConfig.FILE_DELETE_DELAY_MS, random.nextBoolean() ? "0" : "1000"), LogConfig.DEFAULTS);
        int mapSlots = random.nextBoolean() ? 4 + random.nextInt(6) : 1000;
        CleanerConfig cleanerConfig = CleanerTestSupport.cleanerConfig((long) mapSlots * OffsetMap.ENTRY_BYTES);
        LogManager manager = LogManager.open(List.of(dir), config, time);
        manager.updateCleanerConfig(cleanerConfig);
        TreeMap<Long, Rec> written = new TreeMap<>();
        long logStart = 0;
        try {
            PartitionLog log = manager.getOrCreateLog(TP, Uuid.randomUuid(), config);
            int steps = 25 + random.nextInt(40);
            for (int step = 0; step < steps; step++) {
                int op = random.nextInt(100);
                String what;
                if (op < 50) {
                    what = "append";
                    append(log, random, written, time);
                } else if (op < 58) {
                    what = "roll";
                    log.roll();
                } else if (op < 62) {
                    what = "delete records";
                    log.updateHighWatermark(log.logEndOffset());
                    long newStart = logStart + (long) ((log.logEndOffset() - logStart) * random.nextDouble());
                    log.maybeIncrementLogStartOffset(newStart);
                    logStart = Math.max(logStart, newStart);
                } else if (op < 85) {
                    what = "clean";
                    log.updateHighWatermark(log.logEndOffset());
                    manager.cleaner().cleanNow(log);
                    assertThat(manager.cleaner().isUncleanable(TP)).as("seed %d step %d", seed, step).isFalse();
                } else if (op < 93) {
                    what = "advance clock";
                    time.advance(random.nextInt(3000));
                    manager.deleteQueue().runDue(time.milliseconds());
                } else {
                    boolean clean = random.nextBoolean();
                    what = clean ? "clean restart" : "crash";
                    if (clean) {
                        manager.close();
                    } else {
                        manager.closeAbruptly();
                    }
                    manager = LogManager.open(List.of(dir), config, time);
                    manager.updateCleanerConfig(cleanerConfig);
                    log = manager.log(TP);
                    log.updateHighWatermark(log.logEndOffset());
                }
                check(log, manager, written, logStart, "seed " + seed + " step " + step + " (" + what + ")");
            }
            log.roll();
            log.updateHighWatermark(log.logEndOffset());
            manager.cleaner().cleanNow(log);
            check(log, manager, written, logStart, "seed " + seed + " final");
            return written.tailMap(logStart, true).size() - readAll(log).size();
        } finally {
            try {
                manager.close();
            } catch (RuntimeException ignored) {
                // crashed managers cannot close
            }
            LogFiles.deleteRecursively(dir);
        }
    }

    private static void append(PartitionLog log, Random random, TreeMap<Long, Rec> written, ManualTime time) {
        int count = 1 + random.nextInt(4);
        String[] keyValues = new String[count * 2];
        for (int i = 0; i < count; i++) {
            keyValues[2 * i] = "k" + random.nextInt(8);
            keyValues[2 * i + 1] = random.nextInt(100) < 15 ? null : "v" + random.nextInt(1_000_000);
        }
        Compression compression = switch (random.nextInt(4)) {
            case 0 -> Compression.gzip().build();
            case 1 -> Compression.lz4().build();
            default -> Compression.NONE;
        };
        LogAppendInfo info = log.appendAsLeader(CleanerTestSupport.keyed(time.milliseconds(), compression,
                keyValues), 0);
        for (int i = 0; i < count; i++) {
            written.put(info.firstOffset() + i, new Rec(info.firstOffset() + i, keyValues[2 * i],
                    keyValues[2 * i + 1]));
        }
    }

    private static void check(PartitionLog log, LogManager manager, TreeMap<Long, Rec> written, long logStart,
                              String context) throws IOException {
        assertThat(log.logStartOffset()).as(context).isEqualTo(logStart);
        List<Rec> visible = readAll(log);
        long previous = -1;
        for (Rec rec : visible) {
            assertThat(rec.offset()).as("%s: offsets strictly increase from the log start", context)
                    .isGreaterThan(previous).isGreaterThanOrEqualTo(logStart);
            assertThat(rec).as("%s: a surviving record is unchanged at its offset", context)
                    .isEqualTo(written.get(rec.offset()));
            previous = rec.offset();
        }
        Set<Long> visibleOffsets = new HashSet<>();
        Map<String, List<Rec>> visibleByKey = new HashMap<>();
        for (Rec rec : visible) {
            visibleOffsets.add(rec.offset());
            visibleByKey.computeIfAbsent(rec.key(), k -> new ArrayList<>()).add(rec);
        }
        // The latest record of every key (among those not below the log start) is there; a tombstone may be gone
        // after its delete horizon, but then so is every older value of its key.
        Map<String, Rec> latest = CleanerTestSupport.latestByKey(new ArrayList<>(written.tailMap(logStart, true)
                .values()));
        for (Rec rec : latest.values()) {
            if (rec.value() != null) {
                assertThat(visibleOffsets).as("%s: latest value of %s", context, rec.key()).contains(rec.offset());
            } else if (!visibleOffsets.contains(rec.offset())) {
                assertThat(visibleByKey.get(rec.key())).as("%s: %s was deleted", context, rec.key()).isNull();
            }
        }
        // In the cleaned part every key appears at most once.
        long cleanedEnd = Math.max(logStart, manager.cleanerCheckpoints().firstDirtyOffset(TP));
        Set<String> seen = new HashSet<>();
        for (Rec rec : visible) {
            if (rec.offset() < cleanedEnd) {
                assertThat(seen.add(rec.key())).as("%s: %s twice below the cleaned end %d", context, rec.key(),
                        cleanedEnd).isTrue();
            }
        }
        // The uncleaned tail (the active segment) is untouched.
        List<Long> bases = log.segmentBaseOffsets();
        long activeBase = bases.get(bases.size() - 1);
        for (Rec rec : written.tailMap(Math.max(activeBase, logStart), true).values()) {
            assertThat(visibleOffsets).as("%s: active segment record", context).contains(rec.offset());
        }
        assertThat(log.logEndOffset()).as(context).isEqualTo(written.isEmpty() ? 0 : written.lastKey() + 1);
    }
}
