package io.tributary.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a partition log: a {@code .log} file of whole v2 batches plus its sparse offset and time indexes.
 *
 * <p>Only the partition's append lock mutates a segment. Readers run concurrently: the file is written before the
 * indexes and before the new size is published through the volatile {@code sizeInBytes}, so a reader that bounds
 * itself by the size it read sees only complete batches.
 *
 * <p><b>Page-cache prefill.</b> The kernel sizes a page-cache folio by the write that creates it, so a log written
 * in producer-sized batches (16 KiB by default, at arbitrary offsets) is cached in 4-8 KiB folios, and every
 * zero-copy read of it pays one page-cache lookup per folio. So an active segment whose log end moves fast writes
 * zeros over the next aligned {@link #PREFILL_CHUNK_BYTES} chunk as its log end enters the previous one: the kernel
 * backs that chunk with one large folio, and the batches then land in it. The zeros lie past {@code sizeInBytes},
 * where no reader looks; the file is cut back to its size when the segment stops being active, and after a crash
 * recovery cuts them like a torn tail. A large folio is written back whole, so a chunk that fills slowly, or a log
 * with an explicit flush policy (each fsync would write whole folios), is not prefilled.
 */
final class LogSegment {

    private static final Logger LOG = LoggerFactory.getLogger(LogSegment.class);

    /** Size and alignment of a prefilled chunk: the largest folio ext4 builds for one write here. */
    static final int PREFILL_CHUNK_BYTES = 1 << 20;
    /** A chunk is prefilled only if the log end crossed the one before it within this long (~200 KB/s and up). */
    static final long PREFILL_MAX_CHUNK_MS = 5_000;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(PREFILL_CHUNK_BYTES).asReadOnlyBuffer();

    final long baseOffset;
    private final FileChannel channel;
    private volatile Path logFile;
    final OffsetIndex offsetIndex;
    final TimeIndex timeIndex;
    private volatile int sizeInBytes;
    private int bytesSinceLastIndexEntry;
    /** Largest batch timestamp in the segment and the last offset of the first batch reaching it. */
    private volatile long maxTimestampSoFar = BatchHeaderFlyweight.NO_TIMESTAMP;
    private volatile long offsetOfMaxTimestampSoFar = -1;
    /** Max timestamp of the first batch: time-based rolling measures from it, as Kafka does. */
    private long rollingBasedTimestamp = BatchHeaderFlyweight.NO_TIMESTAMP;
    private final long createdMs;
    /** Length of the file: {@code sizeInBytes} plus any prefilled zeros. Guarded by the append lock. */
    private int fileBytes;
    /** When the log end last crossed a chunk boundary. */
    private long chunkEnteredMs;
    private boolean prefillFailed;

    private LogSegment(long baseOffset, FileChannel channel, Path logFile, OffsetIndex offsetIndex,
                       TimeIndex timeIndex, long createdMs) throws IOException {
        this.baseOffset = baseOffset;
        this.channel = channel;
        this.logFile = logFile;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.createdMs = createdMs;
        long size = channel.size();
        if (size > Integer.MAX_VALUE) {
            throw new IOException("Segment " + logFile + " is larger than 2 GiB");
        }
        this.sizeInBytes = (int) size;
        this.fileBytes = (int) size;
        this.chunkEnteredMs = createdMs;
    }

    /**
     * Opens the segment at {@code baseOffset} in {@code dir}, creating empty files if absent. Index files are
     * mapped as found; call {@link #makeWritable} on the active segment.
     */
    static LogSegment open(Path dir, long baseOffset, int indexBytes, boolean active, long nowMs)
            throws IOException {
        Path logFile = LogFiles.logFile(dir, baseOffset);
        FileChannel channel = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            OffsetIndex offsetIndex = new OffsetIndex(LogFiles.offsetIndexFile(dir, baseOffset), baseOffset,
                    indexBytes, active);
            TimeIndex timeIndex = new TimeIndex(LogFiles.timeIndexFile(dir, baseOffset), baseOffset, indexBytes,
                    active);
            return new LogSegment(baseOffset, channel, logFile, offsetIndex, timeIndex, nowMs);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens a new, empty segment whose three files carry {@code suffix} (the cleaner writes {@code .cleaned} files
     * that only become a segment of the log by being renamed, see {@link SegmentSwap}). Indexes are preallocated.
     */
    static LogSegment createWithSuffix(Path dir, long baseOffset, int indexBytes, String suffix, long nowMs)
            throws IOException {
        Path logFile = LogFiles.withSuffix(LogFiles.logFile(dir, baseOffset), suffix);
        Path offsetIndexFile = LogFiles.withSuffix(LogFiles.offsetIndexFile(dir, baseOffset), suffix);
        Path timeIndexFile = LogFiles.withSuffix(LogFiles.timeIndexFile(dir, baseOffset), suffix);
        Files.deleteIfExists(logFile);
        Files.deleteIfExists(offsetIndexFile);
        Files.deleteIfExists(timeIndexFile);
        FileChannel channel = FileChannel.open(logFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            return new LogSegment(baseOffset, channel, logFile,
                    new OffsetIndex(offsetIndexFile, baseOffset, indexBytes, true),
                    new TimeIndex(timeIndexFile, baseOffset, indexBytes, true), nowMs);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Renames both index files to their segment name plus {@code suffix} ("" for the final name). */
    void renameIndexFiles(Path dir, String suffix) throws IOException {
        offsetIndex.renameTo(LogFiles.withSuffix(LogFiles.offsetIndexFile(dir, baseOffset), suffix));
        timeIndex.renameTo(LogFiles.withSuffix(LogFiles.timeIndexFile(dir, baseOffset), suffix));
    }

    /** Renames the log file to its segment name plus {@code suffix} ("" for the final name); atomic. */
    void renameLogFile(Path dir, String suffix) throws IOException {
        Path target = LogFiles.withSuffix(LogFiles.logFile(dir, baseOffset), suffix);
        Files.move(logFile, target, StandardCopyOption.ATOMIC_MOVE);
        logFile = target;
    }

    /**
     * Max timestamp of the first batch, read from its header (-1 if the segment is empty or has no timestamps):
     * max.compaction.lag.ms measures a segment's dirtiness from it, as Kafka does.
     */
    long firstBatchTimestamp() throws IOException {
        if (sizeInBytes == 0) {
            return BatchHeaderFlyweight.NO_TIMESTAMP;
        }
        BatchScanner first = new BatchScanner(BatchHeaderFlyweight.HEADER_SIZE);
        first.reset(channel, 0, sizeInBytes);
        return first.next() ? first.header().maxTimestamp() : BatchHeaderFlyweight.NO_TIMESTAMP;
    }

    static boolean indexFilesExist(Path dir, long baseOffset) {
        return Files.exists(LogFiles.offsetIndexFile(dir, baseOffset))
                && Files.exists(LogFiles.timeIndexFile(dir, baseOffset));
    }

    int sizeInBytes() {
        return sizeInBytes;
    }

    FileChannel channel() {
        return channel;
    }

    Path logFile() {
        return logFile;
    }

    long maxTimestampSoFar() {
        return maxTimestampSoFar;
    }

    long offsetOfMaxTimestampSoFar() {
        return offsetOfMaxTimestampSoFar;
    }

    /** Learns the max timestamp from the time index's final entry (trusted segments after a clean shutdown). */
    void loadMaxTimestampFromIndex() {
        TimestampOffset last = timeIndex.lastEntry();
        if (last != null) {
            maxTimestampSoFar = last.timestampMs();
            offsetOfMaxTimestampSoFar = last.offset();
        }
    }

    /**
     * Writes {@code records} (whole batches with offsets already assigned; position..limit) at the end of the file
     * and indexes them. {@code header} is scratch for walking the batches. No page-cache prefill.
     */
    void append(ByteBuffer records, BatchHeaderFlyweight header, int indexIntervalBytes) throws IOException {
        append(records, header, indexIntervalBytes, false, 0L);
    }

    /** As {@link #append(ByteBuffer, BatchHeaderFlyweight, int)}, prefilling the next chunk if {@code prefill}. */
    void append(ByteBuffer records, BatchHeaderFlyweight header, int indexIntervalBytes, boolean prefill, long nowMs)
            throws IOException {
        int start = sizeInBytes;
        int length = records.remaining();
        int firstBatch = records.position();
        int offsetInRecords = firstBatch;
        int end = firstBatch + length;
        if (prefill) {
            maybePrefill(start, (long) start + length, nowMs);
        }
        try {
            writeFully(records, start);
            while (offsetInRecords < end) {
                header.wrap(records, offsetInRecords);
                int size = header.sizeInBytes();
                indexBatch(start + (offsetInRecords - firstBatch), header.lastOffset(), header.maxTimestamp(), size,
                        indexIntervalBytes);
                offsetInRecords += size;
            }
        } catch (IOException | UncheckedIOException e) {
            IOException failure = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            // sizeInBytes stays put, so readers never see these bytes. Cutting them off as well keeps a batch the
            // producer was told failed from reappearing after a restart; if even that fails, recovery cuts them.
            try {
                cutFileTo(start);
            } catch (IOException suppressed) {
                failure.addSuppressed(suppressed);
            }
            throw failure;
        }
        sizeInBytes = start + length;
        fileBytes = Math.max(fileBytes, sizeInBytes);
    }

    /**
     * Called before the bytes {@code [start, end)} are written: when they enter a new chunk, and the previous
     * crossing was recent, writes zeros over the whole next chunk (from the file's end if that is past the chunk
     * start; the batches about to be written fill any hole before it).
     */
    private void maybePrefill(int start, long end, long nowMs) {
        long boundary = end & -PREFILL_CHUNK_BYTES;
        if (boundary <= start) {
            return;
        }
        long sinceLastCrossingMs = nowMs - chunkEnteredMs;
        chunkEnteredMs = nowMs;
        long to = boundary + PREFILL_CHUNK_BYTES;
        if (prefillFailed || sinceLastCrossingMs > PREFILL_MAX_CHUNK_MS || to <= fileBytes || to > Integer.MAX_VALUE) {
            return;
        }
        long from = Math.max(fileBytes, boundary);
        ByteBuffer zeros = ZEROS.duplicate();
        zeros.limit((int) (to - from));
        try {
            writeFully(zeros, from);
            fileBytes = (int) to;
        } catch (IOException e) {
            // A full disk, say. The appends themselves go on without prefill; the zeros that made it are cut.
            prefillFailed = true;
            LOG.info("Page-cache prefill of {} stopped: {}", logFile, e.toString());
            try {
                cutFileTo(start);
            } catch (IOException ignored) {
                // Past sizeInBytes, so harmless: trimmed when the segment becomes inactive, or cut by recovery.
            }
        }
    }

    /** Cuts prefilled zeros off the end of the file. */
    private void trimPrefill() throws IOException {
        if (fileBytes > sizeInBytes) {
            cutFileTo(sizeInBytes);
        }
    }

    /** Truncates the file, keeping {@code fileBytes} in step with it. */
    private void cutFileTo(int bytes) throws IOException {
        channel.truncate(bytes);
        fileBytes = bytes;
    }

    /** Length of the file, prefilled zeros included (for tests). */
    int fileBytes() {
        return fileBytes;
    }

    private void writeFully(ByteBuffer records, long position) throws IOException {
        int writable = DiskFaults.writableBytes(logFile, records.remaining());
        if (writable < records.remaining()) {
            ByteBuffer fits = records.duplicate();
            fits.limit(fits.position() + writable);
            writeFully(channel, fits, position);
            throw DiskFaults.noSpace(logFile);
        }
        writeFully(channel, records, position);
    }

    private static void writeFully(FileChannel channel, ByteBuffer records, long position) throws IOException {
        long at = position;
        while (records.hasRemaining()) {
            at += channel.write(records, at);
        }
    }

    /**
     * Index bookkeeping for one batch at {@code position}, shared by append and recovery so a rebuilt index is
     * identical to the original: an offset entry (and time entry) once more than indexIntervalBytes were written.
     */
    void indexBatch(int position, long lastOffset, long maxTimestamp, int size, int indexIntervalBytes) {
        if (position == 0) {
            rollingBasedTimestamp = maxTimestamp;
        }
        if (maxTimestamp > maxTimestampSoFar) {
            maxTimestampSoFar = maxTimestamp;
            offsetOfMaxTimestampSoFar = lastOffset;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            if (!offsetIndex.isFull()) {
                offsetIndex.append(lastOffset, position);
            }
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += size;
    }

    /** Forgets all index state before a rebuild by {@link RecoveryScanner}. */
    void resetForRecovery(int indexBytes) throws IOException {
        offsetIndex.reset(indexBytes);
        timeIndex.reset(indexBytes);
        bytesSinceLastIndexEntry = 0;
        maxTimestampSoFar = BatchHeaderFlyweight.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = -1;
        rollingBasedTimestamp = BatchHeaderFlyweight.NO_TIMESTAMP;
    }

    /** Cuts the file at {@code position} (recovery of a torn tail). */
    void truncateFileTo(int position) throws IOException {
        if (position < sizeInBytes) {
            sizeInBytes = position;
        }
        cutFileTo(position);
    }

    /**
     * Kafka's roll rule: the segment is non-empty and the new batches would not fit, or their timestamps are
     * {@link LogConfig#segmentRollMs} (segment.ms, for compacted logs at most max.compaction.lag.ms) past the first
     * batch (wall clock since creation if there is no timestamp), or an index is full,
     * or offsets would no longer fit the indexes' 32-bit relative offsets.
     */
    boolean shouldRoll(LogConfig config, int incomingBytes, long maxTimestampIncoming, long lastOffsetIncoming,
                       long nowMs) {
        if (sizeInBytes == 0) {
            return false;
        }
        long waitedMs = rollingBasedTimestamp >= 0 && maxTimestampIncoming >= 0
                ? maxTimestampIncoming - rollingBasedTimestamp : nowMs - createdMs;
        return sizeInBytes > config.segmentBytes() - incomingBytes
                || waitedMs > config.segmentRollMs()
                || offsetIndex.isFull() || timeIndex.isFull()
                || lastOffsetIncoming - baseOffset > Integer.MAX_VALUE;
    }

    /** Background roll check: time since creation, used when no appends arrive to trigger the normal check. */
    boolean isOlderThan(long segmentMs, long nowMs) {
        return sizeInBytes > 0 && nowMs - createdMs > segmentMs;
    }

    /**
     * The segment stops taking appends: cut prefilled zeros, record its max timestamp in the index and trim the
     * index files.
     */
    void onBecomeInactive() throws IOException {
        trimPrefill();
        if (maxTimestampSoFar >= 0 || offsetOfMaxTimestampSoFar >= 0) {
            try {
                timeIndex.appendFinal(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
    }

    /** Makes a reopened or truncated-back-to segment take appends again. */
    void makeWritable(int indexBytes) throws IOException {
        offsetIndex.makeWritable(indexBytes);
        timeIndex.makeWritable(indexBytes);
    }

    void flush() throws IOException {
        channel.force(true);
        offsetIndex.flush();
        timeIndex.flush();
    }

    /**
     * Reads whole batches starting with the one containing {@code startOffset}; see {@link PartitionLog#read}.
     * Returns null if no batch in this segment reaches {@code startOffset} (the caller tries the next segment).
     * {@code maxOffsetExclusive} must not exceed the log end offset the caller observed.
     */
    FetchSlice read(long startOffset, int maxBytes, boolean minOneBatch, long maxOffsetExclusive) throws IOException {
        int size = sizeInBytes;
        BatchScanner scanner = BatchScanner.forThisThread();
        try {
            scanner.reset(channel, offsetIndex.lookupPosition(startOffset), size);
            while (true) {
                if (!scanner.next()) {
                    return null;
                }
                if (scanner.header().lastOffset() >= startOffset) {
                    break;
                }
            }
            BatchHeaderFlyweight header = scanner.header();
            long firstPosition = scanner.batchPosition();
            long firstOffset = header.baseOffset();
            if (header.lastOffset() >= maxOffsetExclusive) {
                return FetchSlice.EMPTY;
            }
            long total = header.sizeInBytes();
            if (total > maxBytes && !minOneBatch) {
                return FetchSlice.EMPTY;
            }
            // Jump over batches the sparse index proves fit, then walk headers for the last few.
            long maxPosition = Math.min(firstPosition + Math.max(total, maxBytes), size);
            int jump = offsetIndex.lastBoundaryWithin((int) scanner.nextPosition(), maxPosition, maxOffsetExclusive);
            if (jump > 0) {
                total = jump - firstPosition;
                scanner.reset(channel, jump, size);
            }
            while (scanner.next()) {
                header = scanner.header();
                int batchSize = header.sizeInBytes();
                if (header.lastOffset() >= maxOffsetExclusive || total + batchSize > maxBytes) {
                    break;
                }
                total += batchSize;
            }
            return new FetchSlice(channel, firstPosition, (int) total, firstOffset);
        } finally {
            scanner.release();
        }
    }

    /**
     * Removes every batch holding an offset {@code >= offset} (whole batches: a batch straddling the offset goes
     * too). Returns the segment's new next offset, or -1 if nothing was removed.
     */
    long truncateTo(long offset) throws IOException {
        BatchScanner scanner = new BatchScanner(BatchScanner.DEFAULT_WINDOW_BYTES);
        scanner.reset(channel, offsetIndex.lookupPosition(offset), sizeInBytes);
        while (scanner.next()) {
            if (scanner.header().lastOffset() >= offset) {
                long newNextOffset = scanner.header().baseOffset();
                int position = (int) scanner.batchPosition();
                offsetIndex.truncateTo(newNextOffset);
                timeIndex.truncateTo(newNextOffset);
                truncateFileTo(position);
                recomputeAfterTruncation(scanner);
                return newNextOffset;
            }
        }
        return -1;
    }

    /** After truncation: max timestamp from the last surviving time-index entry plus a scan of what follows it. */
    private void recomputeAfterTruncation(BatchScanner scanner) throws IOException {
        TimestampOffset last = timeIndex.lastEntry();
        maxTimestampSoFar = last == null ? BatchHeaderFlyweight.NO_TIMESTAMP : last.timestampMs();
        offsetOfMaxTimestampSoFar = last == null ? -1 : last.offset();
        int from = last == null ? 0 : Math.min(offsetIndex.lookupPosition(last.offset()), offsetIndex.lastPosition());
        scanTail(scanner, from);
        if (sizeInBytes == 0) {
            rollingBasedTimestamp = BatchHeaderFlyweight.NO_TIMESTAMP;
        }
    }

    /**
     * Rebuilds the in-memory append state (max timestamp, bytes since the last index entry) by walking the batches
     * from {@code from}, which must be at or before the last offset-index entry. Returns the next offset, or -1 if
     * the tail is not cleanly framed v2 batches.
     */
    private long scanTail(BatchScanner scanner, int from) throws IOException {
        int lastIndexedPosition = offsetIndex.lastPosition();
        scanner.reset(channel, from, sizeInBytes);
        bytesSinceLastIndexEntry = 0;
        long next = baseOffset;
        while (scanner.next()) {
            BatchHeaderFlyweight header = scanner.header();
            if (header.magic() != BatchHeaderFlyweight.MAGIC_V2) {
                return -1;
            }
            next = header.lastOffset() + 1;
            if (header.maxTimestamp() > maxTimestampSoFar) {
                maxTimestampSoFar = header.maxTimestamp();
                offsetOfMaxTimestampSoFar = header.lastOffset();
            }
            if (scanner.batchPosition() >= lastIndexedPosition) {
                bytesSinceLastIndexEntry += header.sizeInBytes();
            }
        }
        loadRollingBasedTimestamp();
        return scanner.stop() == BatchScanner.Stop.END ? next : -1;
    }

    private void loadRollingBasedTimestamp() throws IOException {
        if (sizeInBytes == 0) {
            rollingBasedTimestamp = BatchHeaderFlyweight.NO_TIMESTAMP;
            return;
        }
        BatchScanner first = new BatchScanner(BatchHeaderFlyweight.HEADER_SIZE);
        first.reset(channel, 0, sizeInBytes);
        if (first.next()) {
            rollingBasedTimestamp = first.header().maxTimestamp();
        }
    }

    /**
     * Next offset after the last batch, found by scanning from the last index entry (the segment must have been
     * trusted, e.g. after a clean shutdown). Returns -1 if the tail is not cleanly framed, which means the segment
     * needs recovery despite the clean-shutdown marker.
     */
    long readNextOffset() throws IOException {
        loadMaxTimestampFromIndex();
        return scanTail(new BatchScanner(BatchScanner.DEFAULT_WINDOW_BYTES), offsetIndex.lastPosition());
    }

    /**
     * ListOffsets by timestamp within this segment: the first record at or after {@code startingOffset} whose
     * timestamp is {@code >= target}. Rare admin call, so it decompresses the candidate batch.
     */
    TimestampOffset findOffsetByTimestamp(long target, long startingOffset) throws IOException {
        TimestampOffset entry = timeIndex.lookup(target);
        int from = entry == null ? 0 : offsetIndex.lookupPosition(entry.offset());
        from = Math.min(from, offsetIndex.lookupPosition(startingOffset));
        int size = sizeInBytes;
        BatchScanner scanner = new BatchScanner(BatchScanner.DEFAULT_WINDOW_BYTES);
        scanner.reset(channel, from, size);
        while (scanner.next()) {
            BatchHeaderFlyweight header = scanner.header();
            if (header.maxTimestamp() < target || header.lastOffset() < startingOffset) {
                continue;
            }
            TimestampOffset found = searchBatch(scanner.batchPosition(), header.sizeInBytes(), target, startingOffset);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private TimestampOffset searchBatch(long position, int size, long target, long startingOffset) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
        long at = position;
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, at) < 0) {
                throw new IOException("Unexpected end of " + logFile + " at " + at);
            }
            at = position + buffer.position();
        }
        buffer.flip();
        for (RecordBatch batch : MemoryRecords.readableRecords(buffer).batches()) {
            Iterator<Record> records = batch.iterator();
            while (records.hasNext()) {
                Record record = records.next();
                if (record.offset() >= startingOffset && record.timestamp() >= target) {
                    return new TimestampOffset(record.timestamp(), record.offset(), batch.partitionLeaderEpoch());
                }
            }
        }
        return null;
    }

    /** Renames the files to {@code *.deleted}; the channel stays open so in-flight zero-copy reads finish. */
    void renameToDeleted() throws IOException {
        Path deleted = LogFiles.withSuffix(logFile, LogFiles.DELETED_SUFFIX);
        if (Files.exists(logFile)) {
            // A same-named .deleted file can only be an older deletion still waiting; replacing it is harmless
            // because its channel stays open until its own deletion runs.
            Files.move(logFile, deleted, StandardCopyOption.REPLACE_EXISTING);
        }
        logFile = deleted;
        offsetIndex.renameTo(LogFiles.withSuffix(offsetIndex.file(), LogFiles.DELETED_SUFFIX));
        timeIndex.renameTo(LogFiles.withSuffix(timeIndex.file(), LogFiles.DELETED_SUFFIX));
    }

    /** Closes the file; index files are trimmed so a reopen finds exactly the entries written. */
    void close() throws IOException {
        try {
            if (channel.isOpen()) {
                offsetIndex.trimToValidSize();
                timeIndex.trimToValidSize();
            }
        } finally {
            channel.close();
        }
    }

    void closeAndDelete() throws IOException {
        channel.close();
        Files.deleteIfExists(logFile);
        offsetIndex.deleteFile();
        timeIndex.deleteFile();
    }

    @Override
    public String toString() {
        return "LogSegment(" + logFile + ", size=" + sizeInBytes + ")";
    }
}
