package io.tributary.storage;

import java.nio.channels.FileChannel;

/**
 * A byte range of a segment file holding whole batches, for zero-copy transfer: the broker hands
 * channel/position/size to sendfile. The channel stays open until {@code file.delete.delay.ms} after the segment is
 * deleted, so a fetch in flight while retention runs still completes; the broker never closes it.
 *
 * @param firstOffset base offset of the first batch in the slice (may be below the fetch offset: batches are whole)
 */
public record FetchSlice(FileChannel channel, long position, int sizeInBytes, long firstOffset) {

    /** Nothing to return (fetch offset at the end of the log or above the high watermark). */
    public static final FetchSlice EMPTY = new FetchSlice(null, 0, 0, -1);

    public boolean isEmpty() {
        return sizeInBytes == 0;
    }
}
