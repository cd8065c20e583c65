package io.tributary.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which leader epoch started at which offset: the history a replica needs to answer OffsetForLeaderEpoch and to
 * find where a diverged log must be truncated. Entries have strictly increasing epochs and non-decreasing start
 * offsets. Persisted to {@code leader-epoch-checkpoint} on every change (changes are rare: one per leader
 * election). Guarded by the partition lock for writes; reads synchronize on this object.
 */
final class LeaderEpochCache {

    /** One epoch and the first offset written in it. */
    record Entry(int epoch, long startOffset) {
    }

    private final Path file;
    private final List<Entry> entries = new ArrayList<>();

    private LeaderEpochCache(Path file) {
        this.file = file;
    }

    /** Loads the checkpoint in {@code dir}, dropping entries that violate the ordering invariant. */
    static LeaderEpochCache load(Path dir) {
        LeaderEpochCache cache = new LeaderEpochCache(dir.resolve(LogFiles.LEADER_EPOCH_CHECKPOINT));
        for (long[] entry : Checkpoints.readEpochs(cache.file)) {
            Entry last = cache.entries.isEmpty() ? null : cache.entries.get(cache.entries.size() - 1);
            if (entry[0] >= 0 && (last == null || (entry[0] > last.epoch && entry[1] >= last.startOffset))) {
                cache.entries.add(new Entry((int) entry[0], entry[1]));
            }
        }
        return cache;
    }

    synchronized int latestEpoch() {
        return entries.isEmpty() ? EpochEndOffset.UNDEFINED_EPOCH : entries.get(entries.size() - 1).epoch;
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Records that {@code epoch} starts at {@code startOffset}; a no-op unless it is newer than the latest. */
    synchronized void assign(int epoch, long startOffset) throws IOException {
        if (epoch < 0 || epoch <= latestEpoch()) {
            return;
        }
        Entry last = entries.isEmpty() ? null : entries.get(entries.size() - 1);
        if (last != null && startOffset < last.startOffset) {
            throw new IllegalStateException("Epoch " + epoch + " would start at " + startOffset + ", before epoch "
                    + last.epoch + " at " + last.startOffset);
        }
        entries.add(new Entry(epoch, startOffset));
        persist();
    }

    /**
     * Kafka's OffsetForLeaderEpoch answer: for the latest epoch, the log end offset; otherwise the largest epoch
     * &lt;= requested and the start offset of the epoch after it; undefined when the requested epoch is newer than
     * anything known.
     */
    synchronized EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch < 0 || entries.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        if (requestedEpoch == latestEpoch()) {
            return new EpochEndOffset(requestedEpoch, logEndOffset);
        }
        Entry floor = null;
        for (Entry entry : entries) {
            if (entry.epoch > requestedEpoch) {
                return floor == null ? new EpochEndOffset(requestedEpoch, entry.startOffset)
                        : new EpochEndOffset(floor.epoch, entry.startOffset);
            }
            floor = entry;
        }
        return EpochEndOffset.UNDEFINED;
    }

    /** Epoch in force at {@code offset}, or -1. */
    synchronized int epochForOffset(long offset) {
        int epoch = EpochEndOffset.UNDEFINED_EPOCH;
        for (Entry entry : entries) {
            if (entry.startOffset > offset) {
                break;
            }
            epoch = entry.epoch;
        }
        return epoch;
    }

    /** After the log was truncated to {@code endOffset}: forget epochs that started at or after it. */
    synchronized void truncateFromEnd(long endOffset) throws IOException {
        boolean changed = false;
        while (!entries.isEmpty() && entries.get(entries.size() - 1).startOffset >= endOffset) {
            entries.remove(entries.size() - 1);
            changed = true;
        }
        if (changed) {
            persist();
        }
    }

    /**
     * After the log start moved to {@code startOffset}: drop epochs that ended before it and clamp the one in force
     * to start there.
     */
    synchronized void truncateFromStart(long startOffset) throws IOException {
        boolean changed = false;
        while (entries.size() > 1 && entries.get(1).startOffset <= startOffset) {
            entries.remove(0);
            changed = true;
        }
        if (!entries.isEmpty() && entries.get(0).startOffset < startOffset) {
            entries.set(0, new Entry(entries.get(0).epoch, startOffset));
            changed = true;
        }
        if (changed) {
            persist();
        }
    }

    synchronized void clear() throws IOException {
        entries.clear();
        persist();
    }

    synchronized void persist() throws IOException {
        List<long[]> rows = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            rows.add(new long[] {entry.epoch, entry.startOffset});
        }
        Checkpoints.writeEpochs(file, rows);
    }
}
