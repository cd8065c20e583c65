package io.tributary.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cleaner's progress: per partition, the first offset not yet cleaned ("first dirty offset"), persisted in a
 * {@code cleaner-offset-checkpoint} file per log directory in Kafka's checkpoint format. Losing it is harmless (the
 * next cleaning just rereads more of the log); a value that is too high is not, since records above a truncation
 * point would be taken as clean. So truncation lowers the value at once, and a cleaning that raced with a
 * truncation does not store its result ({@link PartitionLog#truncationCount}).
 *
 * <p>The same holds across a deletion: a partition recreated under the same name starts empty, so deleting a log
 * drops its entry ({@link #forget}) and a cleaning still running on the deleted log cannot store it back
 * ({@link #update} only accepts the open log that is currently the partition's). Only partitions whose logs are
 * live are written.
 */
final class CleanerCheckpoints {

    private static final Logger LOG = LoggerFactory.getLogger(CleanerCheckpoints.class);

    static final String FILE_NAME = "cleaner-offset-checkpoint";

    private final Map<TopicPartition, Long> firstDirty = new HashMap<>();
    private final Supplier<Collection<PartitionLog>> liveLogs;

    private CleanerCheckpoints(Supplier<Collection<PartitionLog>> liveLogs) {
        this.liveLogs = liveLogs;
    }

    static CleanerCheckpoints load(List<Path> logDirs, Supplier<Collection<PartitionLog>> liveLogs) {
        CleanerCheckpoints checkpoints = new CleanerCheckpoints(liveLogs);
        for (Path logDir : logDirs) {
            checkpoints.firstDirty.putAll(Checkpoints.readOffsets(logDir.resolve(FILE_NAME)));
        }
        return checkpoints;
    }

    /** The checkpointed first dirty offset, or -1 if the partition was never cleaned. */
    synchronized long firstDirtyOffset(TopicPartition tp) {
        return firstDirty.getOrDefault(tp, -1L);
    }

    /**
     * Stores the progress of a finished cleaning, unless the log was truncated since {@code truncationsAtStart} was
     * read from {@link PartitionLog#truncationCount} (its offsets may now name other records), or it is closed or no
     * longer the partition's live log (deleted, maybe recreated). Returns whether it was stored.
     */
    synchronized boolean update(PartitionLog log, long offset, long truncationsAtStart) {
        TopicPartition tp = log.topicPartition();
        // Under this monitor: a deletion closes the log before it calls forget(), which waits for us.
        if (log.truncationCount() != truncationsAtStart || log.isClosed() || !isLive(log)) {
            return false;
        }
        firstDirty.put(tp, offset);
        try {
            write(log.dir().getParent());
        } catch (IOException e) {
            // Only progress is lost: the next cleaning rereads from the old offset.
            LOG.warn("Cannot write the cleaner checkpoint in {}: {}", log.dir().getParent(), e.toString());
        }
        return true;
    }

    private boolean isLive(PartitionLog log) {
        for (PartitionLog live : liveLogs.get()) {
            if (live == log) {
                return true;
            }
        }
        return false;
    }

    /**
     * The (already closed) {@code log} was deleted: its progress goes, and the file of its log directory is
     * rewritten at once so a restart does not bring it back for a partition recreated under the same name.
     */
    synchronized void forget(PartitionLog log) {
        assert log.isClosed() : "forget() after the log is closed, so update() cannot store it back";
        // Should the partition already be recreated and cleaned, only the new log's progress is lost: harmless.
        if (firstDirty.remove(log.topicPartition()) != null) {
            Path logDir = log.dir().getParent();
            try {
                write(logDir);
            } catch (IOException e) {
                // The in-memory value is gone; a stale one on disk is clamped to the log start if beyond the end.
                LOG.warn("Cannot rewrite the cleaner checkpoint in {}: {}", logDir, e.toString());
            }
        }
    }

    /** The log now ends at {@code newEnd}: nothing at or above it can count as cleaned. */
    synchronized void onTruncation(PartitionLog log, long newEnd) {
        TopicPartition tp = log.topicPartition();
        Long current = firstDirty.get(tp);
        if (current != null && current > newEnd) {
            firstDirty.put(tp, newEnd);
            try {
                write(log.dir().getParent());
            } catch (IOException e) {
                // The in-memory value is right; a restart clamps a stale one above the log end to the log start.
                LOG.error("Cannot lower the cleaner checkpoint of {} after truncation", tp, e);
            }
        }
    }

    /** Rewrites one directory's file (periodic checkpointing and shutdown); drops partitions no longer open. */
    synchronized void write(Path logDir) throws IOException {
        Map<TopicPartition, Long> entries = new HashMap<>();
        for (PartitionLog log : liveLogs.get()) {
            Long offset = firstDirty.get(log.topicPartition());
            if (offset != null && logDir.equals(log.dir().getParent())) {
                entries.put(log.topicPartition(), offset);
            }
        }
        Checkpoints.writeOffsets(logDir.resolve(FILE_NAME), entries);
    }
}
