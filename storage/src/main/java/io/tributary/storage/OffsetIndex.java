package io.tributary.storage;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from offset to file position for one segment: one 8-byte entry (offset relative to the segment base,
 * int32 + position int32) roughly every {@code index.interval.bytes}. As in Kafka the offset of an entry is the
 * <em>last</em> offset of the batch that starts at the position, so "largest entry with offset &lt;= target" yields
 * a batch boundary at or before the batch holding the target, from which a short header scan finds it.
 */
final class OffsetIndex extends MappedIndex {

    static final int ENTRY_SIZE = 8;

    OffsetIndex(Path file, long baseOffset, int maxIndexBytes, boolean writable) throws IOException {
        super(file, baseOffset, maxIndexBytes, ENTRY_SIZE, writable);
    }

    boolean isFull() {
        return entries() >= maxEntries();
    }

    /** Records that the batch whose last offset is {@code offset} starts at {@code position}. */
    void append(long offset, int position) {
        int n = entries();
        if (n > 0 && offset <= offsetAt(mapping(), n - 1)) {
            throw new IllegalArgumentException("Offset index entries must increase: " + offset + " after "
                    + offsetAt(mapping(), n - 1) + " in " + file());
        }
        int at = nextEntryPosition();
        MappedByteBuffer mmap = mapping();
        mmap.putInt(at, relative(offset));
        mmap.putInt(at + 4, position);
        publishAppend();
    }

    /** File position of a batch boundary at or before the batch containing {@code targetOffset}. */
    int lookupPosition(long targetOffset) {
        int n = entries();
        MappedByteBuffer mmap = mapping();
        int slot = floorSlot(mmap, n, targetOffset);
        return slot < 0 ? 0 : positionAt(mmap, slot);
    }

    /**
     * The index entry best suited to extend a read starting at {@code fromPosition}: the last entry whose batch
     * starts no later than {@code maxPosition} and whose offset is below {@code maxOffsetExclusive}. Every batch
     * before that entry's batch is then known to fit both bounds. Returns -1 if there is no such entry after
     * {@code fromPosition}.
     */
    int lastBoundaryWithin(int fromPosition, long maxPosition, long maxOffsetExclusive) {
        int n = entries();
        MappedByteBuffer mmap = mapping();
        int byOffset = floorSlot(mmap, n, maxOffsetExclusive - 1);
        int lo = 0;
        int hi = byOffset;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (positionAt(mmap, mid) <= maxPosition) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return -1;
        }
        int position = positionAt(mmap, found);
        return position > fromPosition ? position : -1;
    }

    /** Drops every entry whose offset is {@code >= offset}. */
    void truncateTo(long offset) {
        int n = entries();
        int slot = floorSlot(mapping(), n, offset - 1);
        truncateToEntries(slot + 1);
    }

    /** Absolute offset of the last entry, or the base offset when empty. */
    long lastOffset() {
        int n = entries();
        return n == 0 ? baseOffset : offsetAt(mapping(), n - 1);
    }

    /** Position of the last entry, or 0 when empty. */
    int lastPosition() {
        int n = entries();
        return n == 0 ? 0 : positionAt(mapping(), n - 1);
    }

    /**
     * Cheap consistency check for an index trusted after a clean shutdown: the last entries must increase and
     * point inside the log. A full scan would make startup with many partitions slow.
     */
    boolean looksValid(long logSizeBytes, long nextOffset) {
        int n = entries();
        if (n == 0) {
            return true;
        }
        MappedByteBuffer mmap = mapping();
        long lastOffset = offsetAt(mmap, n - 1);
        int lastPosition = positionAt(mmap, n - 1);
        if (lastOffset < baseOffset || lastOffset >= nextOffset || lastPosition < 0 || lastPosition >= logSizeBytes) {
            return false;
        }
        return n == 1 || (offsetAt(mmap, n - 2) < lastOffset && positionAt(mmap, n - 2) < lastPosition);
    }

    private int floorSlot(MappedByteBuffer mmap, int n, long targetOffset) {
        if (n == 0 || targetOffset < offsetAt(mmap, 0)) {
            return -1;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (offsetAt(mmap, mid) <= targetOffset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private long offsetAt(MappedByteBuffer mmap, int slot) {
        return baseOffset + mmap.getInt(slot * ENTRY_SIZE);
    }

    private int positionAt(MappedByteBuffer mmap, int slot) {
        return mmap.getInt(slot * ENTRY_SIZE + 4);
    }

    private int relative(long offset) {
        long delta = offset - baseOffset;
        if (delta < 0 || delta > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Offset " + offset + " does not fit segment " + baseOffset);
        }
        return (int) delta;
    }
}
