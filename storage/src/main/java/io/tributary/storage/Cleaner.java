package io.tributary.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.apache.kafka.common.utils.internals.CloseableIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cleaning of one log (Kafka's Cleaner), owned by one cleaner thread together with its memory: the offset map
 * and the read/write buffers.
 *
 * <ol>
 *   <li>Build the offset map over the dirty part, key by key, until the part ends or the map is full; the map's
 *       coverage {@code [firstDirty, end)} is what this pass cleans up to (a map too small for the whole dirty part
 *       still makes progress, the next pass continues at {@code end}).</li>
 *   <li>Recopy every segment below {@code end}, clean and dirty alike, keeping what {@link BatchRewriter} keeps.
 *       Consecutive segments are grouped so small cleaned segments merge, bounded by segment.bytes, the index size
 *       and 32-bit relative offsets.</li>
 *   <li>Swap each group's cleaned segment in ({@link PartitionLog#replaceWithCleaned}), then record {@code end} as
 *       the new first dirty offset.</li>
 * </ol>
 *
 * Reads and writes are outside the partition lock and go through the shared {@link Throttler}; the swap takes the
 * lock and gives up if the log changed under it (truncation, retention, deletion).
 *
 * <p>A read that fails because the log changed under it (a segment deleted by retention or DeleteRecords has a
 * closed channel, a truncated one ends early, a refilled one has other bytes) aborts the cleaning, which is retried
 * later; only a failure in a segment that is still live and unchanged is an error of the log itself.
 */
final class Cleaner {

    /** The logger whose INFO line per cleaning the benchmark parses. */
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    /**
     * What one cleaning did. {@code skipped}: there was nothing dirty to map and no tombstone due, so nothing was
     * read or written, and the caller neither stores progress nor forgets the log's tombstone horizon.
     */
    record Result(long firstDirtyOffset, long endOffset, long bytesRead, long bytesWritten, long recordsRead,
                  long recordsKept, long elapsedMs, long tombstoneHorizonMs, int groupsSwapped, int groupsAbandoned,
                  boolean skipped) {

        static Result skipped(long firstDirtyOffset) {
            return new Result(firstDirtyOffset, firstDirtyOffset, 0, 0, 0, 0, 0, Long.MAX_VALUE, 0, 0, true);
        }
    }

    /** Thrown when the cleaner is stopping or the log went away; the cleaning is dropped without harm. */
    static final class CleaningAbortedException extends RuntimeException {
        CleaningAbortedException(String message) {
            super(message, null, false, false);
        }
    }

    @FunctionalInterface
    private interface BatchVisitor {
        /** Returns false to stop the scan. */
        boolean visit(MutableRecordBatch batch, ByteBuffer bytes, long position) throws IOException;
    }

    private final int mapBytes;
    private final double loadFactor;
    private final int ioBufferBytes;
    private final Throttler throttler;
    private final Time time;
    private final BooleanSupplier stopping;
    private final BatchRewriter rewriter = new BatchRewriter();
    private final BatchRewriter.Outcome outcome = new BatchRewriter.Outcome();
    private final BatchHeaderFlyweight header = new BatchHeaderFlyweight();
    private final BufferSupplier decompressionBuffers = BufferSupplier.create();
    private volatile SegmentSwap.Hook hook = SegmentSwap.Hook.NONE;
    /** Allocated at the first cleaning, so a broker without compacted topics never pays for them. */
    private OffsetMap map;
    private ByteBuffer readBuffer;
    private ByteBufferOutputStream writeBuffer;
    /** The log's truncation count when the current cleaning measured it; a change aborts the cleaning. */
    private long truncationsAtStart;

    Cleaner(int mapBytes, double loadFactor, int ioBufferBytes, Throttler throttler, Time time,
            BooleanSupplier stopping) {
        this.mapBytes = mapBytes;
        this.loadFactor = loadFactor;
        this.ioBufferBytes = ioBufferBytes;
        this.throttler = throttler;
        this.time = time;
        this.stopping = stopping;
    }

    void setHook(SegmentSwap.Hook hook) {
        this.hook = hook;
    }

    /** The offset map (for tests checking its capacity); null before the first cleaning. */
    OffsetMap offsetMap() {
        return map;
    }

    Result clean(CleaningCandidate candidate) throws IOException {
        if (!candidate.hasDirtyPart() && !candidate.horizonDue()) {
            // Recopying the clean part would change nothing and store the same first dirty offset again.
            return Result.skipped(candidate.firstDirtyOffset());
        }
        ensureMemory();
        PartitionLog log = candidate.log();
        truncationsAtStart = candidate.truncations();
        LogConfig config = log.config();
        long startMs = time.milliseconds();
        NavigableMap<Long, LogSegment> live = log.segmentsForCleaning();
        // The map starts empty and takes at least one key, so a dirty part with keys always shrinks.
        long end = buildOffsetMap(log, live, candidate.firstDirtyOffset(), candidate.firstUncleanableOffset());
        // Without a dirty part (a due tombstone horizon brought us here) the first dirty offset may lie inside a
        // segment that is not cleanable yet (above the high watermark, too young): only what lies below it goes.
        Long dirtySegment = candidate.hasDirtyPart() ? null : live.floorKey(end);
        long recopyEnd = dirtySegment == null ? end : dirtySegment;
        // Snapshot what to recopy: every segment starting below recopyEnd, with the size and end offset seen now.
        List<LogSegment> segments = new ArrayList<>(live.headMap(recopyEnd, false).values());
        int[] sizes = new int[segments.size()];
        long[] ends = new long[segments.size()];
        for (int i = 0; i < segments.size(); i++) {
            sizes[i] = segments.get(i).sizeInBytes();
            Long next = live.higherKey(segments.get(i).baseOffset);
            ends[i] = next == null ? Long.MAX_VALUE : next;
        }
        long nowMs = time.milliseconds();
        long[] totals = new long[4];
        long horizon = Long.MAX_VALUE;
        int swapped = 0;
        int abandoned = 0;
        for (int[] range : groupBySize(segments, sizes, ends, config)) {
            List<LogSegment> group = segments.subList(range[0], range[1]);
            int[] groupSizes = java.util.Arrays.copyOfRange(sizes, range[0], range[1]);
            long groupHorizon = cleanGroup(log, group, groupSizes, end, nowMs, config, totals);
            if (groupHorizon == Long.MIN_VALUE) {
                abandoned++;
            } else {
                swapped++;
                horizon = Math.min(horizon, groupHorizon);
            }
        }
        long elapsedMs = time.milliseconds() - startMs;
        Result result = new Result(candidate.firstDirtyOffset(), end, totals[0], totals[1], totals[2], totals[3],
                elapsedMs, horizon, swapped, abandoned, false);
        LOG.info("Cleaned log {}: read {} bytes, wrote {} bytes, {} records read, {} kept, in {} ms",
                log.topicPartition(), result.bytesRead(), result.bytesWritten(), result.recordsRead(),
                result.recordsKept(), result.elapsedMs());
        LOG.debug("Cleaning of {} covered offsets [{}, {}) with {} keys in the offset map ({} slots, {} probes per "
                        + "lookup); {} group(s) swapped, {} abandoned", log.topicPartition(),
                candidate.firstDirtyOffset(), end, map.size(), map.slots(), map.averageProbes(), swapped, abandoned);
        return result;
    }

    private void ensureMemory() {
        if (map == null) {
            map = new OffsetMap(mapBytes, loadFactor);
            readBuffer = ByteBuffer.allocate(Math.max(BatchHeaderFlyweight.HEADER_SIZE, ioBufferBytes / 2));
            writeBuffer = new ByteBufferOutputStream(Math.max(BatchHeaderFlyweight.HEADER_SIZE, ioBufferBytes / 2));
        }
    }

    // ---------------------------------------------------------------- offset map

    /**
     * Puts the keys of [from, to) into the map; returns the offset the map covers up to (exclusive): {@code to},
     * or the first keyed record that no longer fit.
     */
    private long buildOffsetMap(PartitionLog log, NavigableMap<Long, LogSegment> live, long from, long to)
            throws IOException {
        map.clear();
        if (from >= to) {
            return from;
        }
        Long floor = live.floorKey(from);
        long[] stoppedAt = {-1L};
        for (LogSegment segment : new ArrayList<>(live.tailMap(floor == null ? from : floor, true).values())) {
            if (segment.baseOffset >= to) {
                break;
            }
            forEachBatch(log, segment, segment.offsetIndex.lookupPosition(from), segment.sizeInBytes(),
                    (batch, bytes, position) -> {
                        if (batch.baseOffset() >= to) {
                            return false;
                        }
                        if (batch.lastOffset() < from || batch.isControlBatch()) {
                            return true;
                        }
                        try (CloseableIterator<Record> records = batch.streamingIterator(decompressionBuffers)) {
                            while (records.hasNext()) {
                                Record record = records.next();
                                if (record.offset() >= from && record.hasKey()
                                        && !map.put(record.key(), record.offset())) {
                                    stoppedAt[0] = record.offset();
                                    return false;
                                }
                            }
                        }
                        return true;
                    });
            if (stoppedAt[0] >= 0) {
                return stoppedAt[0];
            }
        }
        return to;
    }

    // ---------------------------------------------------------------- recopy

    /**
     * Consecutive runs of segments that fit one cleaned segment: total size within segment.bytes, index entries
     * within segment.index.bytes, offsets within 32 bits of the first base. Returns [from, to) index ranges.
     */
    static List<int[]> groupBySize(List<LogSegment> segments, int[] sizes, long[] ends, LogConfig config) {
        List<int[]> groups = new ArrayList<>();
        int i = 0;
        while (i < segments.size()) {
            int start = i;
            long bytes = sizes[i];
            long offsetIndexBytes = segments.get(i).offsetIndex.sizeInBytes();
            long timeIndexBytes = segments.get(i).timeIndex.sizeInBytes();
            long base = segments.get(i).baseOffset;
            i++;
            while (i < segments.size()
                    && bytes + sizes[i] <= config.segmentBytes()
                    && offsetIndexBytes + segments.get(i).offsetIndex.sizeInBytes() <= config.segmentIndexBytes()
                    && timeIndexBytes + segments.get(i).timeIndex.sizeInBytes() < config.segmentIndexBytes()
                    && ends[i] - 1 - base <= Integer.MAX_VALUE) {
                bytes += sizes[i];
                offsetIndexBytes += segments.get(i).offsetIndex.sizeInBytes();
                timeIndexBytes += segments.get(i).timeIndex.sizeInBytes();
                i++;
            }
            if (bytes > 0) {
                groups.add(new int[] {start, i});
            }
        }
        return groups;
    }

    /**
     * Recopies one group into a {@code .cleaned} segment and swaps it in. Returns the earliest tombstone delete
     * horizon written (Long.MAX_VALUE if none), or Long.MIN_VALUE if the log changed and the group was abandoned.
     */
    private long cleanGroup(PartitionLog log, List<LogSegment> group, int[] sizes, long mapEnd, long nowMs,
                            LogConfig config, long[] totals) throws IOException {
        LogSegment first = group.get(0);
        int lastNonEmpty = group.size() - 1;
        while (sizes[lastNonEmpty] == 0) {
            lastNonEmpty--;
        }
        LogSegment cleaned = LogSegment.createWithSuffix(log.dir(), first.baseOffset, config.segmentIndexBytes(),
                SegmentSwap.CLEANED_SUFFIX, nowMs);
        long[] horizon = {Long.MAX_VALUE};
        try {
            writeBuffer.position(0);
            for (int i = 0; i < group.size(); i++) {
                int segmentSize = sizes[i];
                boolean lastSegment = i == lastNonEmpty;
                forEachBatch(log, group.get(i), 0, segmentSize, (batch, bytes, position) -> {
                    batch.ensureValid();
                    // The group's last batch always stays so the cleaned segment spans the group's offsets.
                    boolean keepHeader = (lastSegment && position + bytes.remaining() == segmentSize)
                            || isLastBatchOfLiveProducer(log, batch);
                    rewriter.rewrite(batch, bytes, map, mapEnd, keepHeader, nowMs, config.deleteRetentionMs(),
                            writeBuffer, outcome);
                    totals[0] += bytes.remaining();
                    totals[2] += outcome.recordsRead;
                    totals[3] += outcome.recordsKept;
                    horizon[0] = Math.min(horizon[0], outcome.tombstoneHorizonMs);
                    if (writeBuffer.position() >= ioBufferBytes / 2) {
                        totals[1] += drainTo(cleaned, config);
                    }
                    return true;
                });
            }
            totals[1] += drainTo(cleaned, config);
            cleaned.onBecomeInactive();
            cleaned.flush();
            try {
                // Time-based retention of timestamp-less data goes by mtime: keep the old one (as Kafka does).
                Files.setLastModifiedTime(cleaned.logFile(), Files.getLastModifiedTime(group.get(lastNonEmpty)
                        .logFile()));
            } catch (IOException e) {
                // the old file may have just been retired; the new mtime is merely conservative
            }
        } catch (IOException | RuntimeException e) {
            cleaned.closeAndDelete();
            throw e;
        }
        hook.after(SegmentSwap.Step.CLEANED_WRITTEN, cleaned.baseOffset);
        // From here on files are never removed by the cleaner: a failure inside the swap is resolved by recovery.
        if (!log.replaceWithCleaned(group, sizes, cleaned, truncationsAtStart, hook)) {
            cleaned.closeAndDelete();
            return Long.MIN_VALUE;
        }
        return horizon[0];
    }

    private static boolean isLastBatchOfLiveProducer(PartitionLog log, MutableRecordBatch batch) {
        if (!batch.hasProducerId()) {
            return false;
        }
        ProducerStateEntry entry = log.producerState().entry(batch.producerId());
        return entry != null && entry.lastOffset() == batch.lastOffset();
    }

    /** Appends the write buffer's batches to the cleaned segment (indexing them) and empties the buffer. */
    private int drainTo(LogSegment cleaned, LogConfig config) throws IOException {
        ByteBuffer data = writeBuffer.buffer().duplicate();
        data.flip();
        int bytes = data.remaining();
        if (bytes > 0) {
            cleaned.append(data, header, config.indexIntervalBytes());
            throttler.maybeThrottle(bytes);
        }
        writeBuffer.position(0);
        return bytes;
    }

    // ---------------------------------------------------------------- reading

    /**
     * Calls {@code visitor} for each whole batch in [from, to) of the segment, reading big chunks into the read
     * buffer (grown for a batch larger than it). Reads are throttled; a stop request, a closed log or a truncation
     * aborts. A failure (I/O, early end, bad framing or CRC) aborts too if the log changed under the read; only in a
     * segment that is still live and unchanged is it thrown as it is (and the log is marked uncleanable).
     */
    private void forEachBatch(PartitionLog log, LogSegment segment, int from, int to, BatchVisitor visitor)
            throws IOException {
        try {
            scanBatches(log, segment, from, to, visitor);
        } catch (IOException | KafkaException e) {
            if (changedUnderRead(log, segment, to)) {
                throw new CleaningAbortedException(segment.logFile().getFileName() + " of " + log.topicPartition()
                        + " changed while being read (" + e + ")");
            }
            throw e;
        }
    }

    /**
     * Whether {@code segment}, read up to {@code to}, is no longer what the cleaning saw: retention, DeleteRecords
     * or a truncation removed or shortened it, or the log closed or was truncated (a refilled segment may have the
     * old size and other bytes).
     */
    private boolean changedUnderRead(PartitionLog log, LogSegment segment, int to) {
        return log.isClosed() || log.truncationCount() != truncationsAtStart
                || log.segmentsForCleaning().get(segment.baseOffset) != segment || segment.sizeInBytes() < to;
    }

    private void scanBatches(PartitionLog log, LogSegment segment, int from, int to, BatchVisitor visitor)
            throws IOException {
        long position = from;
        while (position < to) {
            checkNotAborted(log);
            ByteBuffer buffer = readBuffer;
            buffer.clear();
            int toRead = (int) Math.min(buffer.capacity(), to - position);
            buffer.limit(toRead);
            readFully(segment.channel(), buffer, position);
            buffer.flip();
            throttler.maybeThrottle(toRead);
            int at = 0;
            while (buffer.limit() - at >= BatchHeaderFlyweight.LOG_OVERHEAD) {
                int size = buffer.getInt(at + BatchHeaderFlyweight.LENGTH_OFFSET) + BatchHeaderFlyweight.LOG_OVERHEAD;
                if (size < BatchHeaderFlyweight.HEADER_SIZE || position + at + size > to) {
                    throw new CorruptRecordException("Bad batch length at position " + (position + at) + " of "
                            + segment.logFile());
                }
                if (size > buffer.limit() - at) {
                    break;
                }
                ByteBuffer bytes = buffer.duplicate().limit(at + size).position(at).slice();
                if (bytes.get(BatchHeaderFlyweight.MAGIC_OFFSET) != BatchHeaderFlyweight.MAGIC_V2) {
                    throw new CorruptRecordException("Batch with magic " + bytes.get(BatchHeaderFlyweight.MAGIC_OFFSET)
                            + " at position " + (position + at) + " of " + segment.logFile());
                }
                MutableRecordBatch batch = MemoryRecords.readableRecords(bytes.duplicate()).batches().iterator().next();
                if (!visitor.visit(batch, bytes, position + at)) {
                    return;
                }
                at += size;
            }
            if (at == 0) {
                if (buffer.limit() < BatchHeaderFlyweight.LOG_OVERHEAD) {
                    throw new CorruptRecordException("Truncated batch at position " + position + " of "
                            + segment.logFile());
                }
                int size = buffer.getInt(BatchHeaderFlyweight.LENGTH_OFFSET) + BatchHeaderFlyweight.LOG_OVERHEAD;
                readBuffer = ByteBuffer.allocate(size);
                continue;
            }
            position += at;
        }
    }

    private void checkNotAborted(PartitionLog log) {
        if (stopping.getAsBoolean()) {
            throw new CleaningAbortedException("the cleaner is stopping");
        }
        if (log.isClosed()) {
            throw new CleaningAbortedException("the log of " + log.topicPartition() + " was closed");
        }
        if (log.truncationCount() != truncationsAtStart) {
            // Offsets may now name other records: whatever is read from here on could not be swapped in anyway.
            throw new CleaningAbortedException("the log of " + log.topicPartition() + " was truncated");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new EOFException("Unexpected end of segment at " + at);
            }
            at += n;
        }
    }
}
