package io.tributary.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.NavigableMap;

/**
 * A compacted log as the cleaner sees it when choosing what to clean (Kafka's LogToClean): the clean part
 * {@code [logStart, firstDirtyOffset)} was already compacted, the dirty part {@code [firstDirtyOffset,
 * firstUncleanableOffset)} may be, and everything from {@code firstUncleanableOffset} on must not be yet.
 *
 * <p>The uncleanable part starts at the first segment that is active, reaches past the high watermark (a follower
 * could still lose it, and consumers cannot see it), or holds a record younger than min.compaction.lag.ms. Cutting
 * at a segment boundary keeps every cleaned segment entirely below the high watermark.
 *
 * <p>When the first dirty offset lies inside a segment that is not cleanable yet, the dirty part is empty: that
 * segment counts as neither dirty nor clean, so a log cannot look dirty while a cleaning would have nothing to map
 * (which would make the cleaner recopy the clean part over and over without ever backing off).
 *
 * @param truncations    the log's {@link PartitionLog#truncationCount} before it was measured: the cleaning's swaps
 *                       and its checkpoint update are refused if a truncation happened since
 * @param dirtyBytes     size of the segments overlapping the dirty part (0 if the dirty part is empty)
 * @param cleanBytes     size of the segments entirely below the first dirty offset
 * @param lagExceeded    the oldest dirty record is older than max.compaction.lag.ms (KIP-354): clean regardless of
 *                       the dirty ratio
 * @param horizonDue     a tombstone kept by an earlier cleaning has passed its delete horizon: clean to drop it
 */
record CleaningCandidate(PartitionLog log, long truncations, long firstDirtyOffset, long firstUncleanableOffset,
                         long cleanBytes, long dirtyBytes, boolean lagExceeded, boolean horizonDue) {

    /** Whether there is anything to put into an offset map: [firstDirty, firstUncleanable) is not empty. */
    boolean hasDirtyPart() {
        return firstUncleanableOffset > firstDirtyOffset;
    }

    /** Dirty share of the cleanable log; Kafka compares it with min.cleanable.dirty.ratio. */
    double dirtyRatio() {
        long total = cleanBytes + dirtyBytes;
        return total == 0 ? 0 : (double) dirtyBytes / total;
    }

    /** Worth a cleaning now: dirty enough, or forced by the max lag, or expired tombstones to drop. */
    boolean shouldClean() {
        return (dirtyBytes > 0 && (dirtyRatio() > log.config().minCleanableDirtyRatio() || lagExceeded))
                || (horizonDue && cleanBytes + dirtyBytes > 0);
    }

    /**
     * Measures {@code log}. {@code checkpointed} is the stored first dirty offset (-1 if none); one below the log
     * start (DeleteRecords, retention) or beyond the log end (a truncated or recreated log) restarts at the log start.
     * {@code tombstoneHorizonMs} is the earliest delete horizon the last cleaning wrote (Long.MAX_VALUE if none).
     */
    static CleaningCandidate of(PartitionLog log, long checkpointed, long tombstoneHorizonMs, long nowMs)
            throws IOException {
        // Before anything else is read, so a truncation while measuring or cleaning is noticed.
        long truncations = log.truncationCount();
        LogConfig config = log.config();
        NavigableMap<Long, LogSegment> segments = log.segmentsForCleaning();
        long logStart = log.logStartOffset();
        long highWatermark = log.highWatermark();
        long activeBase = segments.lastKey();
        long firstDirty = checkpointed < logStart || checkpointed > log.logEndOffset() ? logStart : checkpointed;
        firstDirty = Math.min(firstDirty, activeBase);

        long firstUncleanable = activeBase;
        Long dirtyFloor = segments.floorKey(firstDirty);
        for (Map.Entry<Long, LogSegment> e : segments.tailMap(dirtyFloor == null ? firstDirty : dirtyFloor, true)
                .entrySet()) {
            LogSegment segment = e.getValue();
            if (segment.baseOffset >= activeBase) {
                break;
            }
            Long next = segments.higherKey(segment.baseOffset);
            long end = next == null ? log.logEndOffset() : next;
            boolean tooYoung = config.minCompactionLagMs() > 0
                    && largestTimestamp(segment) > nowMs - config.minCompactionLagMs();
            if (end > highWatermark || tooYoung) {
                firstUncleanable = segment.baseOffset;
                break;
            }
        }
        firstUncleanable = Math.max(firstUncleanable, firstDirty);

        long cleanBytes = 0;
        long dirtyBytes = 0;
        LogSegment firstDirtySegment = null;
        for (Map.Entry<Long, LogSegment> e : segments.headMap(firstUncleanable, false).entrySet()) {
            Long next = segments.higherKey(e.getKey());
            long end = next == null ? log.logEndOffset() : next;
            if (end <= firstDirty) {
                cleanBytes += e.getValue().sizeInBytes();
            } else if (firstUncleanable > firstDirty) {
                dirtyBytes += e.getValue().sizeInBytes();
                if (firstDirtySegment == null) {
                    firstDirtySegment = e.getValue();
                }
            }
        }
        boolean lagExceeded = false;
        if (firstDirtySegment != null && config.maxCompactionLagMs() < Long.MAX_VALUE) {
            long firstTimestamp = firstDirtySegment.firstBatchTimestamp();
            lagExceeded = firstTimestamp >= 0 && nowMs - firstTimestamp > config.maxCompactionLagMs();
        }
        return new CleaningCandidate(log, truncations, firstDirty, firstUncleanable, cleanBytes, dirtyBytes,
                lagExceeded, nowMs >= tombstoneHorizonMs);
    }

    /** Newest timestamp in a segment, or its file's mtime if it has none (as retention and Kafka do). */
    private static long largestTimestamp(LogSegment segment) throws IOException {
        long max = segment.maxTimestampSoFar();
        return max >= 0 ? max : Files.getLastModifiedTime(segment.logFile()).toMillis();
    }
}
