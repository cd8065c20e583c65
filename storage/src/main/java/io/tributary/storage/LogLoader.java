package io.tributary.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition directory into a {@link PartitionLog}, recovering it if needed.
 *
 * <p>After a clean shutdown the files are trusted: each index gets a cheap sanity check (rebuilt if missing or
 * inconsistent) and only the tail of the last segment is scanned to find the log end. After an unclean shutdown
 * every segment from the one holding the recovery point onwards is re-validated batch by batch (framing, CRC),
 * its indexes rebuilt, and the log is cut at the first bad batch; segments before the recovery point were fsynced
 * and are trusted, which keeps startup with many partitions fast. Producer state is then restored from the newest
 * snapshot not past the log end plus a header replay of what follows it. Leftovers of a log cleaning interrupted by
 * a crash are resolved first, so the segments loaded are exactly those before or exactly those after the swap.
 */
final class LogLoader {

    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    /** Checkpointed offsets for the partition; -1 where unknown. */
    record Checkpointed(long recoveryPoint, long logStartOffset, long highWatermark) {
        static final Checkpointed NONE = new Checkpointed(-1, -1, -1);
    }

    private LogLoader() {
    }

    static PartitionLog load(Path dir, TopicPartition tp, Uuid topicId, LogConfig config, Time time,
                             FileDeleteQueue deleteQueue, boolean cleanShutdown, Checkpointed checkpointed)
            throws IOException {
        Files.createDirectories(dir);
        Uuid storedId = Checkpoints.readPartitionMetadata(dir);
        Uuid id = storedId != null ? storedId : topicId;
        if (storedId == null && id != null && !Uuid.ZERO_UUID.equals(id)) {
            Checkpoints.writePartitionMetadata(dir, id);
        }
        TreeMap<Long, Boolean> baseOffsets = cleanUpAndListSegments(dir);
        long nowMs = time.milliseconds();
        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        long logEndOffset;
        try {
            if (baseOffsets.isEmpty()) {
                long start = Math.max(0, checkpointed.logStartOffset());
                segments.put(start, LogSegment.open(dir, start, config.segmentIndexBytes(), true, nowMs));
                logEndOffset = start;
            } else {
                logEndOffset = openSegments(dir, tp, config, nowMs, baseOffsets, segments, cleanShutdown,
                        checkpointed.recoveryPoint());
            }
        } catch (IOException | RuntimeException e) {
            for (LogSegment segment : segments.values()) {
                segment.channel().close();
            }
            throw e;
        }
        long logStartOffset = Math.min(logEndOffset, Math.max(checkpointed.logStartOffset(), segments.firstKey()));
        LeaderEpochCache epochCache = LeaderEpochCache.load(dir);
        epochCache.truncateFromEnd(logEndOffset);
        epochCache.truncateFromStart(logStartOffset);
        ProducerStateManager producerState = new ProducerStateManager(dir);
        long snapshotOffset = producerState.loadLatestSnapshot(logEndOffset);
        PartitionLog.replayProducerState(segments, producerState, Math.max(snapshotOffset, segments.firstKey()),
                logEndOffset);
        long highWatermark = checkpointed.highWatermark() >= 0 ? checkpointed.highWatermark() : logStartOffset;
        return new PartitionLog(tp, id == null ? Uuid.ZERO_UUID : id, dir, config, time, deleteQueue, segments,
                logStartOffset, logEndOffset, highWatermark, epochCache, producerState);
    }

    /**
     * Deletes leftovers of interrupted operations (*.deleted, *.tmp, index files without a log), resolves an
     * interrupted cleaner swap ({@link SegmentSwap#recover}: the old segments or the cleaned one, never both), and
     * returns the base offsets of the segments, each flagged with whether both index files exist.
     */
    private static TreeMap<Long, Boolean> cleanUpAndListSegments(Path dir) throws IOException {
        SegmentSwap.recover(dir);
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(files::add);
        }
        TreeMap<Long, Boolean> baseOffsets = new TreeMap<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(LogFiles.DELETED_SUFFIX) || name.endsWith(LogFiles.TMP_SUFFIX)) {
                Files.deleteIfExists(file);
                continue;
            }
            long base = LogFiles.offsetOf(name, LogFiles.LOG_SUFFIX);
            if (base >= 0) {
                baseOffsets.put(base, LogSegment.indexFilesExist(dir, base));
            }
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            long indexBase = Math.max(LogFiles.offsetOf(name, LogFiles.INDEX_SUFFIX),
                    LogFiles.offsetOf(name, LogFiles.TIME_INDEX_SUFFIX));
            if (indexBase >= 0 && !baseOffsets.containsKey(indexBase)) {
                Files.deleteIfExists(file);
            }
        }
        return baseOffsets;
    }

    /** Opens all segments, trusting or recovering each; returns the log end offset. */
    private static long openSegments(Path dir, TopicPartition tp, LogConfig config, long nowMs,
                                     TreeMap<Long, Boolean> baseOffsets, ConcurrentSkipListMap<Long, LogSegment> segments,
                                     boolean cleanShutdown, long recoveryPoint) throws IOException {
        long lastBase = baseOffsets.lastKey();
        for (Map.Entry<Long, Boolean> e : baseOffsets.entrySet()) {
            segments.put(e.getKey(), LogSegment.open(dir, e.getKey(), config.segmentIndexBytes(),
                    e.getKey() == lastBase, nowMs));
        }
        // Unclean: recover from the segment holding the recovery point (all of them if it is unknown).
        long recoverFrom = Long.MAX_VALUE;
        if (!cleanShutdown) {
            Long floor = recoveryPoint >= 0 ? segments.floorKey(recoveryPoint) : null;
            recoverFrom = floor == null ? segments.firstKey() : floor;
            LOG.info("Recovering {} from offset {} after an unclean shutdown", tp, recoverFrom);
        }
        long logEndOffset = -1;
        List<LogSegment> ordered = new ArrayList<>(segments.values());
        for (int i = 0; i < ordered.size(); i++) {
            LogSegment segment = ordered.get(i);
            boolean last = i == ordered.size() - 1;
            long nextBase = last ? Long.MAX_VALUE : ordered.get(i + 1).baseOffset;
            boolean recover = segment.baseOffset >= recoverFrom || !baseOffsets.get(segment.baseOffset);
            long nextOffset = -1;
            if (!recover) {
                segment.loadMaxTimestampFromIndex();
                nextOffset = last ? segment.readNextOffset() : nextBase;
                if (nextOffset < 0 || !segment.offsetIndex.looksValid(segment.sizeInBytes(), nextOffset)
                        || !segment.timeIndex.looksValid(nextOffset)) {
                    LOG.warn("Segment {} of {} failed its sanity check; rebuilding it", segment.baseOffset, tp);
                    recover = true;
                }
            }
            boolean truncated = false;
            if (recover) {
                RecoveryScanner.Result result = RecoveryScanner.recover(segment, config);
                nextOffset = result.nextOffset();
                // Zeros ending a segment the next one continues exactly are prefill, not a torn write.
                truncated = result.truncatedBytes() > 0 && !(result.zeroTail() && nextOffset == nextBase);
                segment.flush();
                if (!last) {
                    segment.onBecomeInactive();
                }
            }
            logEndOffset = nextOffset;
            if (truncated && !last) {
                dropSegmentsAfter(ordered, i, segments, tp);
                segment.makeWritable(config.segmentIndexBytes());
                break;
            }
            if (!last && nextOffset > nextBase) {
                throw new IOException("Segment " + segment.logFile() + " overlaps the next segment at " + nextBase);
            }
        }
        return logEndOffset;
    }

    /** Everything after a torn batch is untrustworthy: delete the later segments outright (no readers yet). */
    private static void dropSegmentsAfter(List<LogSegment> ordered, int index,
                                          ConcurrentSkipListMap<Long, LogSegment> segments, TopicPartition tp)
            throws IOException {
        for (int j = index + 1; j < ordered.size(); j++) {
            LogSegment dropped = ordered.get(j);
            LOG.warn("Deleting segment {} of {}: it follows a truncated segment", dropped.baseOffset, tp);
            segments.remove(dropped.baseOffset);
            dropped.closeAndDelete();
        }
    }
}
