package io.tributary.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Walks the batches of a segment file with positional reads into a small direct buffer, exposing each header
 * through a {@link BatchHeaderFlyweight}. A read fills a window of up to the buffer's capacity, so many small batches
 * cost one system call; nothing is copied to the heap. Used by fetch (find the start, then the end, of a slice),
 * by recovery (which also streams each batch through a CRC) and by producer-state replay.
 *
 * <p>Not thread-safe; fetch threads each use their own instance ({@link #forThisThread()}).
 */
final class BatchScanner {

    /** Why {@link #next()} stopped. */
    enum Stop { NONE, END, TRUNCATED, CORRUPT }

    static final int DEFAULT_WINDOW_BYTES = 16 * 1024;

    private static final ThreadLocal<BatchScanner> PER_THREAD =
            ThreadLocal.withInitial(() -> new BatchScanner(DEFAULT_WINDOW_BYTES));

    private ByteBuffer window;
    private final BatchHeaderFlyweight header = new BatchHeaderFlyweight();
    private FileChannel channel;
    private long end;
    private long windowStart;
    private int windowLength;
    private long batchPosition;
    private long nextPosition;
    private Stop stop = Stop.NONE;

    BatchScanner(int windowBytes) {
        this.window = ByteBuffer.allocateDirect(windowBytes).order(ByteOrder.BIG_ENDIAN);
    }

    /** The calling thread's scanner; callers must finish with it before anything else on the thread uses it. */
    static BatchScanner forThisThread() {
        return PER_THREAD.get();
    }

    /** Starts a scan of {@code [start, end)} of the file. */
    BatchScanner reset(FileChannel channel, long start, long end) {
        this.channel = channel;
        this.end = end;
        this.nextPosition = start;
        this.batchPosition = -1;
        this.windowStart = 0;
        this.windowLength = 0;
        this.stop = Stop.NONE;
        return this;
    }

    /**
     * Moves to the next batch whose header is framed sanely (full header present, batchLength large enough, batch
     * within the scanned range). Returns false at the end or at a bad batch; {@link #stop()} tells which.
     */
    boolean next() throws IOException {
        long position = nextPosition;
        long remaining = end - position;
        if (remaining <= 0) {
            stop = Stop.END;
            return false;
        }
        if (remaining < BatchHeaderFlyweight.HEADER_SIZE) {
            stop = Stop.TRUNCATED;
            return false;
        }
        if (!ensure(position, BatchHeaderFlyweight.HEADER_SIZE)) {
            stop = Stop.TRUNCATED;
            return false;
        }
        header.wrap(window, (int) (position - windowStart));
        int batchLength = header.batchLength();
        if (batchLength < BatchHeaderFlyweight.MIN_BATCH_LENGTH) {
            stop = Stop.CORRUPT;
            return false;
        }
        long size = batchLength + (long) BatchHeaderFlyweight.LOG_OVERHEAD;
        if (size > remaining) {
            stop = Stop.TRUNCATED;
            return false;
        }
        batchPosition = position;
        nextPosition = position + size;
        return true;
    }

    /** Makes {@code [position, position+bytes)} available in the window (bytes fits the window), refilling it. */
    private boolean ensure(long position, int bytes) throws IOException {
        if (position >= windowStart && position + bytes <= windowStart + windowLength) {
            return true;
        }
        fill(position);
        return windowLength >= bytes;
    }

    private void fill(long position) throws IOException {
        int toRead = (int) Math.min(window.capacity(), end - position);
        window.clear().limit(toRead);
        long at = position;
        while (window.hasRemaining()) {
            int n = channel.read(window, at);
            if (n < 0) {
                break;
            }
            at += n;
        }
        windowStart = position;
        windowLength = window.position();
    }

    /** Header of the current batch (valid until the next call to next()). */
    BatchHeaderFlyweight header() {
        return header;
    }

    long batchPosition() {
        return batchPosition;
    }

    /** Position just after the current batch (or where the scan stopped). */
    long nextPosition() {
        return nextPosition;
    }

    Stop stop() {
        return stop;
    }

    /**
     * CRC32C of the current batch (attributes to end), streamed through the window so even a huge or bogus
     * batchLength never needs a batch-sized buffer. The header stays readable afterwards.
     */
    int computeCrc(CRC32C crc) throws IOException {
        crc.reset();
        long from = batchPosition + BatchHeaderFlyweight.ATTRIBUTES_OFFSET;
        long to = nextPosition;
        while (from < to) {
            if (!(from >= windowStart && from < windowStart + windowLength)) {
                fill(from);
                if (windowLength == 0) {
                    throw new IOException("Unexpected end of file at " + from);
                }
            }
            int startInWindow = (int) (from - windowStart);
            int n = (int) Math.min(to - from, windowLength - startInWindow);
            ByteBuffer view = window.duplicate();
            view.limit(startInWindow + n).position(startInWindow);
            crc.update(view);
            from += n;
        }
        if (!ensure(batchPosition, BatchHeaderFlyweight.HEADER_SIZE)) {
            throw new IOException("Batch header at " + batchPosition + " vanished");
        }
        header.wrap(window, (int) (batchPosition - windowStart));
        return (int) crc.getValue();
    }

    /** Drops the channel reference so a thread-local scanner does not pin a closed file. */
    void release() {
        channel = null;
    }
}
