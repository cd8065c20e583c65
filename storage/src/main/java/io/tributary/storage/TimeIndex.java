package io.tributary.storage;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from timestamp to offset for one segment: 12-byte entries (timestamp int64 + offset relative to the
 * segment base int32) with strictly increasing timestamps. Each entry says "up to this offset the largest timestamp
 * seen is T", and its offset is the first batch that reached T, so every earlier batch has a smaller timestamp.
 * One slot is always kept free for the final "segment max" entry written when the segment becomes inactive, which
 * lets a reopened segment learn its largest timestamp from the last entry.
 */
final class TimeIndex extends MappedIndex {

    static final int ENTRY_SIZE = 12;

    TimeIndex(Path file, long baseOffset, int maxIndexBytes, boolean writable) throws IOException {
        super(file, baseOffset, maxIndexBytes, ENTRY_SIZE, writable);
    }

    /** Full for regular appends; the last slot is reserved for {@link #appendFinal}. */
    boolean isFull() {
        return entries() >= maxEntries() - 1;
    }

    /** Adds an entry if {@code timestamp} is larger than the last one (keeps the index monotonic). */
    void maybeAppend(long timestamp, long offset) {
        if (isFull()) {
            return;
        }
        appendIfLarger(timestamp, offset);
    }

    /** Adds the segment's final max-timestamp entry, using the reserved slot if needed. */
    void appendFinal(long timestamp, long offset) {
        if (entries() < maxEntries()) {
            appendIfLarger(timestamp, offset);
        }
    }

    private void appendIfLarger(long timestamp, long offset) {
        int n = entries();
        MappedByteBuffer mmap = mapping();
        if (n > 0 && timestamp <= timestampAt(mmap, n - 1)) {
            return;
        }
        if (n > 0 && offset < offsetAt(mmap, n - 1)) {
            throw new IllegalArgumentException("Time index offsets must not decrease: " + offset + " in " + file());
        }
        int at = nextEntryPosition();
        mmap.putLong(at, timestamp);
        mmap.putInt(at + 8, (int) (offset - baseOffset));
        publishAppend();
    }

    /**
     * The entry with the largest timestamp {@code <= target}: every batch before its offset has a timestamp below
     * it. Returns null when no entry qualifies (search from the start of the segment).
     */
    TimestampOffset lookup(long target) {
        int n = entries();
        MappedByteBuffer mmap = mapping();
        int slot = floorSlot(mmap, n, target);
        return slot < 0 ? null : new TimestampOffset(timestampAt(mmap, slot), offsetAt(mmap, slot), -1);
    }

    /** The last entry, i.e. the largest timestamp recorded and its offset, or null if empty. */
    TimestampOffset lastEntry() {
        int n = entries();
        if (n == 0) {
            return null;
        }
        MappedByteBuffer mmap = mapping();
        return new TimestampOffset(timestampAt(mmap, n - 1), offsetAt(mmap, n - 1), -1);
    }

    /** Drops every entry whose offset is {@code >= offset}. */
    void truncateTo(long offset) {
        int n = entries();
        MappedByteBuffer mmap = mapping();
        int keep = n;
        while (keep > 0 && offsetAt(mmap, keep - 1) >= offset) {
            keep--;
        }
        truncateToEntries(keep);
    }

    /** Cheap check for a trusted index: the last entries are ordered and inside the segment. */
    boolean looksValid(long nextOffset) {
        int n = entries();
        if (n == 0) {
            return true;
        }
        MappedByteBuffer mmap = mapping();
        long lastOffset = offsetAt(mmap, n - 1);
        if (lastOffset < baseOffset || lastOffset >= nextOffset) {
            return false;
        }
        return n == 1 || (timestampAt(mmap, n - 2) < timestampAt(mmap, n - 1)
                && offsetAt(mmap, n - 2) <= lastOffset);
    }

    private int floorSlot(MappedByteBuffer mmap, int n, long target) {
        if (n == 0 || target < timestampAt(mmap, 0)) {
            return -1;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (timestampAt(mmap, mid) <= target) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private long timestampAt(MappedByteBuffer mmap, int slot) {
        return mmap.getLong(slot * ENTRY_SIZE);
    }

    private long offsetAt(MappedByteBuffer mmap, int slot) {
        return baseOffset + mmap.getInt(slot * ENTRY_SIZE + 8);
    }
}
