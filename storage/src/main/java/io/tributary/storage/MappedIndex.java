package io.tributary.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A fixed-entry-size, append-only, memory-mapped index file: the common machinery behind {@link OffsetIndex} and
 * {@link TimeIndex}. The file of the active segment is preallocated to {@code maxIndexBytes} so appends are plain
 * stores into the mapping; it is trimmed to its real size when the segment stops being active, so a trimmed file's
 * length tells how many entries it holds.
 *
 * <p>Concurrency: a single writer (the partition's append lock) appends, truncates and resizes; readers look entries
 * up without locking. The writer stores the entry bytes before publishing the new count through the volatile
 * {@code entries}, and readers take the mapping and the count once per lookup, so they only see complete entries.
 * Mappings are never unmapped explicitly (a reader may still hold one); the GC releases them.
 */
abstract class MappedIndex {

    private static final int ALLOCATION_CHUNK_BYTES = 16 * 1024;

    private final int entrySize;
    final long baseOffset;
    private volatile Path file;
    private volatile MappedByteBuffer mmap;
    private volatile int entries;
    private int maxEntries;
    /**
     * Bytes at the start of the file known to have disk blocks behind them. The preallocated tail is sparse, and a
     * store into an unbacked page of a full file system kills the process with SIGBUS instead of failing cleanly,
     * so appends first allocate the next pages with an ordinary write, which fails with an IOException instead.
     */
    private long backedBytes;

    /**
     * Opens or creates the index. An existing file keeps the entries its length implies; a new one starts empty.
     * When {@code writable}, the file is (re)grown to {@code maxIndexBytes} so the index can take appends.
     */
    MappedIndex(Path file, long baseOffset, int maxIndexBytes, int entrySize, boolean writable) throws IOException {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        boolean existed = Files.exists(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long length = existed ? raf.length() : 0;
            int validEntries = (int) Math.min(Integer.MAX_VALUE / entrySize, length / entrySize);
            long mapLength = writable ? Math.max(validEntries * (long) entrySize, roundedMaxBytes(maxIndexBytes))
                    : validEntries * (long) entrySize;
            raf.setLength(mapLength);
            this.mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, mapLength);
            this.entries = validEntries;
            this.maxEntries = (int) (mapLength / entrySize);
            this.backedBytes = validEntries * (long) entrySize;
        }
    }

    /** Index size actually used: a whole number of entries and room for at least two. */
    final int roundedMaxBytes(int maxIndexBytes) {
        return Math.max(2 * entrySize, maxIndexBytes / entrySize * entrySize);
    }

    final int entries() {
        return entries;
    }

    final int maxEntries() {
        return maxEntries;
    }

    final int entrySize() {
        return entrySize;
    }

    final Path file() {
        return file;
    }

    final long sizeInBytes() {
        return (long) entries * entrySize;
    }

    /** The mapping for a lookup; read together with {@link #entries()} (entries first). */
    final MappedByteBuffer mapping() {
        return mmap;
    }

    /**
     * Byte position where the next entry goes; the subclass stores the entry there and then calls
     * {@link #publishAppend()}, which makes it visible to readers.
     */
    final int nextEntryPosition() {
        int n = entries;
        if (n >= maxEntries) {
            throw new IllegalStateException("Index " + file + " is full (" + n + " entries)");
        }
        int position = n * entrySize;
        if (position + entrySize > backedBytes) {
            allocate(position + entrySize);
        }
        return position;
    }

    /** Gives the file real blocks up to at least {@code end} by writing zeros past the last entry. */
    private void allocate(int end) {
        long from = Math.max(backedBytes, (long) entries * entrySize);
        long to = Math.min((long) maxEntries * entrySize, Math.max(end, from + ALLOCATION_CHUNK_BYTES));
        ByteBuffer zeros = ByteBuffer.allocate((int) (to - from));
        try {
            if (DiskFaults.writableBytes(file, zeros.remaining()) < zeros.remaining()) {
                throw DiskFaults.noSpace(file);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                long at = from;
                while (zeros.hasRemaining()) {
                    at += channel.write(zeros, at);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot allocate index space in " + file, e);
        }
        backedBytes = to;
    }

    final void publishAppend() {
        entries = entries + 1;
    }

    /** Forgets every entry at or after {@code newEntries}. */
    final void truncateToEntries(int newEntries) {
        if (newEntries < 0 || newEntries > entries) {
            throw new IllegalArgumentException("Cannot truncate " + file + " to " + newEntries + " of " + entries);
        }
        entries = newEntries;
    }

    /** Empties the index and makes room for {@code maxIndexBytes} worth of entries (used before a rebuild). */
    final synchronized void reset(int maxIndexBytes) throws IOException {
        entries = 0;
        backedBytes = 0;
        resize(roundedMaxBytes(maxIndexBytes));
    }

    /** Shrinks the file to the entries it holds: done when the segment stops being active and on close. */
    final synchronized void trimToValidSize() throws IOException {
        resize(entries * entrySize);
    }

    /** Regrows the file so the (formerly inactive) segment can take appends again. */
    final synchronized void makeWritable(int maxIndexBytes) throws IOException {
        int wanted = Math.max(entries * entrySize, roundedMaxBytes(maxIndexBytes));
        if (wanted != maxEntries * entrySize) {
            resize(wanted);
        }
    }

    private void resize(int newBytes) throws IOException {
        assert newBytes >= entries * entrySize : "resize would drop entries";
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(newBytes);
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, newBytes);
            maxEntries = newBytes / entrySize;
            backedBytes = Math.min(backedBytes, newBytes);
        }
    }

    final void flush() {
        mmap.force();
    }

    final void renameTo(Path target) throws IOException {
        if (Files.exists(file)) {
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
        file = target;
    }

    final void deleteFile() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + file, e);
        }
    }
}
