package io.tributary.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: an ordered set of segments, the last of which (the active segment) takes appends.
 *
 * <p>Writers (append, roll, truncation, retention) take one lock per partition. Readers take no lock: they read the
 * volatile log end offset first and then only look at bytes and index entries published before it, so they never
 * see a partial batch. fsync happens outside the lock so a slow disk does not stall producers.
 *
 * <p>Offset invariants: {@code logStartOffset <= highWatermark <= logEndOffset}, {@code recoveryPoint <=
 * logEndOffset}, and offsets are assigned contiguously from the log end offset.
 */
public final class PartitionLog {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final TopicPartition topicPartition;
    private volatile Uuid topicId;
    private volatile Path dir;
    private volatile LogConfig config;
    private final Time time;
    private final FileDeleteQueue deleteQueue;
    private final ReentrantLock lock = new ReentrantLock();
    /** Serializes fsyncs so the recovery point only advances over segments that were all flushed. */
    private final ReentrantLock flushLock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private volatile LogSegment activeSegment;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private volatile long recoveryPoint;
    private volatile long lastFlushMs;
    /** End of the newest segment that rolled but is not yet fsynced; the scheduler flushes it, not the appender. */
    private volatile long rolledUnflushedEnd = -1L;
    private volatile boolean closed;
    /**
     * The log's directory failed (disk full, I/O error): every read and write now fails with
     * KafkaStorageException, and nothing is written here again until a restart recovers the directory.
     */
    private volatile boolean offline;
    /** Told about the first I/O error so the log manager can take the whole directory offline. */
    private volatile java.util.function.Consumer<IOException> dirFailureListener = e -> { };
    /**
     * Called after the log start moved other than by retention (DeleteRecords, truncation): the log manager
     * rewrites the log-start checkpoint at once so the change survives a crash.
     */
    private volatile Runnable logStartListener = () -> { };
    /** Called with the new log end after a truncation: the cleaner's progress must not stay above it. */
    private volatile java.util.function.LongConsumer truncationListener = newEnd -> { };
    /**
     * Bumped under {@link #lock} by every truncation. A cleaning reads it before looking at the log and the swap
     * refuses its result if it moved: after a truncation the same segment object, refilled to the same size, can hold
     * other records, so identity and size checks alone cannot tell.
     */
    private volatile long truncations;
    private final LeaderEpochCache epochCache;
    private final ProducerStateManager producerState;
    /** Header scratch for the append path; only used under {@link #lock}. */
    private final BatchHeaderFlyweight lockedHeader = new BatchHeaderFlyweight();
    private static final ThreadLocal<ValidationScratch> VALIDATION_SCRATCH =
            ThreadLocal.withInitial(ValidationScratch::new);

    PartitionLog(TopicPartition topicPartition, Uuid topicId, Path dir, LogConfig config, Time time,
                 FileDeleteQueue deleteQueue, ConcurrentSkipListMap<Long, LogSegment> segments, long logStartOffset,
                 long logEndOffset, long highWatermark, LeaderEpochCache epochCache,
                 ProducerStateManager producerState) {
        assert !segments.isEmpty() : "a log always has an active segment";
        assert logStartOffset <= logEndOffset : "log start " + logStartOffset + " beyond end " + logEndOffset;
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.dir = dir;
        this.config = config;
        this.time = time;
        this.deleteQueue = deleteQueue;
        this.segments = segments;
        this.activeSegment = segments.lastEntry().getValue();
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.highWatermark = Math.max(logStartOffset, Math.min(highWatermark, logEndOffset));
        this.recoveryPoint = logEndOffset;
        this.lastFlushMs = time.milliseconds();
        this.epochCache = epochCache;
        this.producerState = producerState;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public LogConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** Offsets below this are known to be fsynced; recovery after a crash starts here. */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    public long sizeInBytes() {
        long size = 0;
        for (LogSegment segment : segments.values()) {
            size += segment.sizeInBytes();
        }
        return size;
    }

    public int numberOfSegments() {
        return segments.size();
    }

    public int latestEpoch() {
        return epochCache.latestEpoch();
    }

    /** Sets the high watermark, clamped to [logStartOffset, logEndOffset]. */
    public void updateHighWatermark(long hw) {
        lock.lock();
        try {
            highWatermark = Math.max(logStartOffset, Math.min(hw, logEndOffset));
        } finally {
            lock.unlock();
        }
    }

    void setLogStartListener(Runnable listener) {
        this.logStartListener = listener;
    }

    void setTruncationListener(java.util.function.LongConsumer listener) {
        this.truncationListener = listener;
    }

    void setDirFailureListener(java.util.function.Consumer<IOException> listener) {
        this.dirFailureListener = listener;
    }

    /** True once this log's directory failed; see {@link #markOffline()}. */
    public boolean isOffline() {
        return offline;
    }

    /** Its directory failed: refuse all further reads and writes (the files are left exactly as they are). */
    void markOffline() {
        offline = true;
    }

    void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
    }

    void updateTopicId(Uuid id) throws IOException {
        Checkpoints.writePartitionMetadata(dir, id);
        this.topicId = id;
    }

    // ---------------------------------------------------------------- append

    /**
     * Appends a producer's record set as leader. {@code records} (position..limit, one or more v2 batches, must be
     * writable) is patched in place: baseOffset and partitionLeaderEpoch are assigned, and with LogAppendTime also
     * maxTimestamp and the timestamp-type bit, after which the CRC is recomputed. Batches are not decompressed unless
     * the topic needs the records themselves ({@link RecordLevelValidator}): a compacted topic rejects keyless records
     * (RecordValidationException, an InvalidRecordException), and a {@code compression.type} other than producer
     * re-encodes each batch in another codec into a new buffer, which is then stored instead of {@code records}.
     *
     * <p>Everything is validated before anything is written: magic 2 (UnsupportedForMessageFormatException),
     * framing and CRC (CorruptRecordException), batch size vs max.message.bytes (RecordTooLargeException), set size
     * vs segment.bytes (RecordBatchTooLargeException), record count vs lastOffsetDelta and control batches
     * (InvalidRecordException), CreateTime bounds (InvalidTimestampException), a leader epoch older than the
     * log's (FencedLeaderEpochException), and idempotent-producer state: a retry of one of the producer's last five
     * batches is answered with the original offsets and {@code duplicate=true} without writing; a stale producer
     * epoch gives InvalidProducerEpochException; a sequence gap, an unknown producer or a new epoch not starting
     * at 0 give OutOfOrderSequenceException.
     *
     * <p>Readers see the batches only once they are completely written. Rolls first if the active segment is full
     * (size, segment.ms, index) and flushes when flush.messages unflushed records have accumulated.
     */
    public LogAppendInfo appendAsLeader(ByteBuffer records, int leaderEpoch) {
        ValidationScratch scratch = VALIDATION_SCRATCH.get();
        ByteBuffer view = records.duplicate().order(ByteOrder.BIG_ENDIAN);
        ByteBuffer crcView = records.duplicate();
        LogConfig cfg = config;
        long nowMs = time.milliseconds();
        LogValidator.Summary summary = LogValidator.validate(view, cfg, nowMs, scratch.header, scratch.crc, crcView);
        if (RecordLevelValidator.applies(cfg)) {
            RecordLevelValidator.Rewritten rewritten = RecordLevelValidator.apply(view, summary, cfg, topicPartition,
                    scratch.header);
            if (rewritten != null) {
                // Re-encoded to the topic's codec: from here on the new bytes are what gets offsets and is stored.
                view = rewritten.records();
                crcView = view.duplicate();
                summary = rewritten.summary();
            }
        }
        boolean logAppendTime = cfg.timestampType() == TimestampType.LOG_APPEND_TIME;
        long appendTimeMs = logAppendTime ? nowMs : -1L;
        LogSegment rolled;
        long firstOffset;
        long lastOffset;
        boolean flushNeeded;
        lock.lock();
        try {
            ensureOpen();
            int latest = epochCache.latestEpoch();
            if (leaderEpoch < latest) {
                throw new FencedLeaderEpochException("Leader epoch " + leaderEpoch + " is older than the log's "
                        + latest + " for " + topicPartition);
            }
            firstOffset = logEndOffset;
            BatchHeaderFlyweight header = lockedHeader;
            Map<Long, ProducerStateEntry> pending = null;
            long next = firstOffset;
            int start = view.position();
            int end = view.limit();
            for (int position = start; position < end; position += header.sizeInBytes()) {
                header.wrap(view, position);
                long batchLast = next + header.lastOffsetDelta();
                if (header.hasProducerId()) {
                    if (pending == null) {
                        pending = new HashMap<>();
                    }
                    ProducerStateEntry.BatchMetadata duplicate = producerState.validateAndStage(header, next,
                            batchLast, logAppendTime ? nowMs : header.maxTimestamp(), pending);
                    if (duplicate != null) {
                        return new LogAppendInfo(duplicate.firstOffset(), duplicate.lastOffset(),
                                logAppendTime ? duplicate.timestamp() : -1L, logStartOffset,
                                summary.recordCount(), true);
                    }
                }
                next = batchLast + 1;
            }
            lastOffset = next - 1;
            next = firstOffset;
            for (int position = start; position < end; position += header.sizeInBytes()) {
                header.wrap(view, position);
                header.setBaseOffset(next);
                header.setPartitionLeaderEpoch(leaderEpoch);
                if (logAppendTime) {
                    header.setMaxTimestamp(nowMs);
                    header.setAttributes((short) (header.attributes() | BatchHeaderFlyweight.TIMESTAMP_TYPE_MASK));
                    header.setCrc(header.computeCrc(scratch.crc, crcView));
                }
                next += header.lastOffsetDelta() + 1;
            }
            long maxTimestamp = logAppendTime ? nowMs : summary.maxTimestamp();
            rolled = activeSegment.shouldRoll(cfg, summary.sizeInBytes(), maxTimestamp, lastOffset, nowMs)
                    ? rollLocked(nowMs) : null;
            activeSegment.append(view, header, cfg.indexIntervalBytes(), prefills(cfg), nowMs);
            if (pending != null) {
                producerState.commit(pending);
            }
            if (leaderEpoch > latest) {
                epochCache.assign(leaderEpoch, firstOffset);
            }
            logEndOffset = lastOffset + 1;
            flushNeeded = logEndOffset - recoveryPoint >= cfg.flushIntervalMessages();
        } catch (IOException e) {
            throw storageError("append to", e);
        } finally {
            lock.unlock();
        }
        if (rolled != null) {
            // An fsync of a whole segment can take long; keep it off the request thread (Kafka does the same).
            rolledUnflushedEnd = Math.max(rolledUnflushedEnd, segmentEnd(rolled));
        }
        if (flushNeeded) {
            flush();
        }
        return new LogAppendInfo(firstOffset, lastOffset, appendTimeMs, logStartOffset, summary.recordCount(),
                false);
    }

    /** Next offset after a non-active segment (the base of the one after it). */
    private long segmentEnd(LogSegment segment) {
        Map.Entry<Long, LogSegment> next = segments.higherEntry(segment.baseOffset);
        return next == null ? logEndOffset : next.getKey();
    }

    /** Starts a new active segment at the log end (no-op if the active segment is empty). */
    public void roll() {
        LogSegment rolled;
        lock.lock();
        try {
            ensureOpen();
            rolled = rollLocked(time.milliseconds());
        } catch (IOException e) {
            throw storageError("roll", e);
        } finally {
            lock.unlock();
        }
        if (rolled != null) {
            flushUpTo(segmentEnd(rolled));
        }
    }

    /** Page-cache prefill (see {@link LogSegment}) only when the OS decides when to flush, as by default. */
    private static boolean prefills(LogConfig cfg) {
        return cfg.flushIntervalMessages() == Long.MAX_VALUE && cfg.flushIntervalMs() == Long.MAX_VALUE;
    }

    /** Returns the segment that stopped being active (to be flushed outside the lock), or null. */
    private LogSegment rollLocked(long nowMs) throws IOException {
        LogSegment old = activeSegment;
        if (old.sizeInBytes() == 0) {
            return null;
        }
        long newBase = logEndOffset;
        old.onBecomeInactive();
        producerState.takeSnapshot(newBase);
        removeStaleFiles(newBase);
        LogSegment segment = LogSegment.open(dir, newBase, config.segmentIndexBytes(), true, nowMs);
        segments.put(newBase, segment);
        activeSegment = segment;
        return old;
    }

    /** Files for an offset at or past the log end can only be leftovers of a truncated log. */
    private void removeStaleFiles(long baseOffset) throws IOException {
        Files.deleteIfExists(LogFiles.logFile(dir, baseOffset));
        Files.deleteIfExists(LogFiles.offsetIndexFile(dir, baseOffset));
        Files.deleteIfExists(LogFiles.timeIndexFile(dir, baseOffset));
    }

    // ---------------------------------------------------------------- read

    /**
     * Reads whole batches starting with the batch containing {@code fetchOffset}: up to {@code maxBytes} (at least
     * one batch if {@code minOneBatch}), only batches entirely below {@code maxOffsetExclusive} and the log end.
     *
     * @throws OffsetOutOfRangeException if fetchOffset is below the log start or above the log end
     */
    public FetchSlice read(long fetchOffset, int maxBytes, boolean minOneBatch, long maxOffsetExclusive) {
        ensureOnline();
        long end = logEndOffset;
        long start = logStartOffset;
        if (fetchOffset < start || fetchOffset > end) {
            throw new OffsetOutOfRangeException("Offset " + fetchOffset + " is out of range [" + start + ", " + end
                    + "] for " + topicPartition);
        }
        long limit = Math.min(maxOffsetExclusive, end);
        if (fetchOffset >= limit) {
            return FetchSlice.EMPTY;
        }
        try {
            Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
            if (entry == null) {
                entry = segments.firstEntry();
            }
            while (entry != null) {
                FetchSlice slice = entry.getValue().read(fetchOffset, maxBytes, minOneBatch, limit);
                if (slice != null) {
                    return slice;
                }
                entry = segments.higherEntry(entry.getKey());
            }
            return FetchSlice.EMPTY;
        } catch (ClosedChannelException e) {
            // Retention, DeleteRecords or truncation closed the segment under this reader (or the log closed): a
            // race, not a disk failure, so the directory stays online and the client simply retries.
            throw new KafkaStorageException("A segment of " + topicPartition + " was removed while being read", e);
        } catch (IOException e) {
            throw storageError("read from", e);
        }
    }

    // ---------------------------------------------------------------- timestamps and epochs

    /** Earliest record at or after the log start whose timestamp is {@code >= timestampMs} (ListOffsets). */
    public Optional<TimestampOffset> offsetForTimestamp(long timestampMs) {
        ensureOnline();
        long start = logStartOffset;
        try {
            for (LogSegment segment : segments.values()) {
                if (segment.maxTimestampSoFar() >= timestampMs && segmentEnd(segment) > start) {
                    TimestampOffset found = segment.findOffsetByTimestamp(timestampMs, start);
                    if (found != null) {
                        return Optional.of(found);
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw storageError("search", e);
        }
    }

    /** The record with the largest timestamp (the first such record), for ListOffsets MAX_TIMESTAMP. */
    public Optional<TimestampOffset> offsetOfMaxTimestamp() {
        ensureOnline();
        LogSegment best = null;
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestampSoFar() >= 0 && segmentEnd(segment) > logStartOffset
                    && (best == null || segment.maxTimestampSoFar() > best.maxTimestampSoFar())) {
                best = segment;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(best.findOffsetByTimestamp(best.maxTimestampSoFar(), logStartOffset));
        } catch (IOException e) {
            throw storageError("search", e);
        }
    }

    /** OffsetForLeaderEpoch; see {@link LeaderEpochCache#endOffsetFor}. */
    public EpochEndOffset endOffsetForEpoch(int leaderEpoch) {
        return epochCache.endOffsetFor(leaderEpoch, logEndOffset);
    }

    List<LeaderEpochCache.Entry> epochEntries() {
        return epochCache.entries();
    }

    ProducerStateManager producerState() {
        return producerState;
    }

    /** Base offsets of the segments, oldest first (tests check that reads stop at segment boundaries). */
    List<Long> segmentBaseOffsets() {
        return new ArrayList<>(segments.keySet());
    }

    // ---------------------------------------------------------------- flush

    /** fsyncs everything written so far and advances the recovery point to the log end. */
    public void flush() {
        flushUpTo(logEndOffset);
    }

    private void flushUpTo(long offset) {
        flushLock.lock();
        try {
            long from = recoveryPoint;
            if (offset <= from) {
                return;
            }
            Long firstKey = segments.floorKey(from);
            ConcurrentNavigableMap<Long, LogSegment> toFlush = firstKey == null ? segments
                    : segments.tailMap(firstKey, true);
            for (LogSegment segment : toFlush.headMap(offset, false).values()) {
                segment.flush();
            }
            lock.lock();
            try {
                recoveryPoint = Math.max(recoveryPoint, Math.min(offset, logEndOffset));
                lastFlushMs = time.milliseconds();
            } finally {
                lock.unlock();
            }
        } catch (ClosedChannelException e) {
            if (!closed) {
                throw storageError("flush", e);
            }
        } catch (IOException e) {
            throw storageError("flush", e);
        } finally {
            flushLock.unlock();
        }
    }

    /** Background: flush if flush.ms has passed since the last flush and something is unflushed. */
    void maybeFlushByTime(long nowMs) {
        long rolledEnd = rolledUnflushedEnd;
        if (offline) {
            return;
        }
        if (!closed && rolledEnd > recoveryPoint) {
            flushUpTo(rolledEnd);
        }
        if (!closed && recoveryPoint < logEndOffset && nowMs - lastFlushMs >= config.flushIntervalMs()) {
            flush();
        }
    }

    /** Background: roll an idle active segment older than segment.ms (or max.compaction.lag.ms if compacted). */
    void maybeRollByTime(long nowMs) {
        LogSegment rolled = null;
        lock.lock();
        try {
            if (!closed && !offline && activeSegment.isOlderThan(config.segmentRollMs(), nowMs)) {
                rolled = rollLocked(nowMs);
            }
        } catch (IOException e) {
            throw storageError("roll", e);
        } finally {
            lock.unlock();
        }
        if (rolled != null) {
            flushUpTo(segmentEnd(rolled));
        }
    }

    // ---------------------------------------------------------------- truncation

    /**
     * Removes every batch holding an offset {@code >= offset}. Truncation works on whole batches, so if
     * {@code offset} falls inside a batch that batch goes too and the new log end is its base offset.
     */
    public void truncateTo(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Cannot truncate to negative offset " + offset);
        }
        long startBefore = logStartOffset;
        long endBefore = logEndOffset;
        lock.lock();
        try {
            ensureOpen();
            if (offset >= logEndOffset) {
                return;
            }
            if (offset < logStartOffset) {
                truncateFullyLocked(offset);
            } else {
                truncatePartiallyLocked(offset);
            }
        } catch (IOException e) {
            throw storageError("truncate", e);
        } finally {
            lock.unlock();
        }
        if (logStartOffset != startBefore) {
            logStartListener.run();
        }
        if (logEndOffset != endBefore) {
            truncationListener.accept(logEndOffset);
        }
    }

    /** Truncation that keeps the segment holding {@code offset} (offset >= log start). */
    private void truncatePartiallyLocked(long offset) throws IOException {
        truncations++;
        long containingBase = segments.floorKey(offset);
        long newEnd = logEndOffset;
        for (LogSegment segment : new ArrayList<>(segments.tailMap(containingBase, false).values())) {
            newEnd = Math.min(newEnd, segment.baseOffset);
            segments.remove(segment.baseOffset);
            deleteSegment(segment);
        }
        LogSegment containing = segments.get(containingBase);
        long truncatedEnd = containing.truncateTo(offset);
        if (truncatedEnd >= 0) {
            newEnd = truncatedEnd;
        }
        if (containing != activeSegment) {
            containing.makeWritable(config.segmentIndexBytes());
            activeSegment = containing;
        }
        logEndOffset = newEnd;
        logStartOffset = Math.min(logStartOffset, newEnd);
        highWatermark = Math.min(highWatermark, newEnd);
        recoveryPoint = Math.min(recoveryPoint, newEnd);
        epochCache.truncateFromEnd(newEnd);
        rebuildProducerState();
    }

    /** Deletes all data and restarts the log, empty, at {@code offset}. */
    public void truncateFullyAndStartAt(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Cannot start a log at negative offset " + offset);
        }
        lock.lock();
        try {
            ensureOpen();
            truncateFullyLocked(offset);
        } catch (IOException e) {
            throw storageError("truncate", e);
        } finally {
            lock.unlock();
        }
        logStartListener.run();
        truncationListener.accept(offset);
    }

    private void truncateFullyLocked(long offset) throws IOException {
        truncations++;
        for (LogSegment segment : new ArrayList<>(segments.values())) {
            segments.remove(segment.baseOffset);
            deleteSegment(segment);
        }
        producerState.clear();
        producerState.deleteAllSnapshots();
        epochCache.clear();
        removeStaleFiles(offset);
        LogSegment segment = LogSegment.open(dir, offset, config.segmentIndexBytes(), true, time.milliseconds());
        segments.put(offset, segment);
        activeSegment = segment;
        logStartOffset = offset;
        logEndOffset = offset;
        highWatermark = offset;
        recoveryPoint = offset;
    }

    /** Producer state after truncation: newest snapshot not past the new end, then replay the rest. */
    private void rebuildProducerState() throws IOException {
        long snapshotOffset = producerState.loadLatestSnapshot(logEndOffset);
        replayProducerState(segments, producerState, Math.max(snapshotOffset, segments.firstKey()), logEndOffset);
    }

    /** Replays the batch headers in [from, to) into {@code state}. Shared with the loader. */
    static void replayProducerState(ConcurrentSkipListMap<Long, LogSegment> segments, ProducerStateManager state,
                                    long from, long to) throws IOException {
        if (from >= to) {
            return;
        }
        Long firstKey = segments.floorKey(from);
        BatchScanner scanner = new BatchScanner(BatchScanner.DEFAULT_WINDOW_BYTES);
        for (LogSegment segment : segments.tailMap(firstKey == null ? from : firstKey, true).values()) {
            scanner.reset(segment.channel(), segment.offsetIndex.lookupPosition(from), segment.sizeInBytes());
            while (scanner.next()) {
                BatchHeaderFlyweight header = scanner.header();
                if (header.baseOffset() >= to) {
                    return;
                }
                if (header.baseOffset() >= from) {
                    state.replay(header);
                }
            }
        }
    }

    // ---------------------------------------------------------------- retention

    /**
     * With cleanup.policy delete, deletes the oldest non-active segments entirely below the high watermark that breach retention.ms
     * (their newest timestamp is older than now - retention.ms), retention.bytes (the log would still be at least
     * that big without them) or lie below the log start offset. Returns how many were deleted.
     */
    public int deleteOldSegments() {
        // Time and size retention only apply to cleanup.policy delete (or compact,delete); a compacted-only log
        // still drops segments below its log start.
        return deleteSegments(config.cleanupPolicy().delete());
    }

    private int deleteSegments(boolean applyRetention) {
        lock.lock();
        try {
            if (closed || offline) {
                return 0;
            }
            LogConfig cfg = config;
            long nowMs = time.milliseconds();
            long remainingBytes = sizeInBytes();
            int deleted = 0;
            for (LogSegment segment : new ArrayList<>(segments.values())) {
                if (segment == activeSegment) {
                    break;
                }
                long end = segmentEnd(segment);
                if (end > highWatermark) {
                    break;
                }
                boolean belowStart = end <= logStartOffset;
                boolean expired = applyRetention && cfg.retentionMs() >= 0
                        && nowMs - largestTimestamp(segment) > cfg.retentionMs();
                boolean oversized = applyRetention && cfg.retentionBytes() >= 0
                        && remainingBytes - segment.sizeInBytes() >= cfg.retentionBytes();
                if (!belowStart && !expired && !oversized) {
                    break;
                }
                segments.remove(segment.baseOffset);
                deleteSegment(segment);
                remainingBytes -= segment.sizeInBytes();
                deleted++;
            }
            if (deleted > 0) {
                long firstBase = segments.firstKey();
                logStartOffset = Math.max(logStartOffset, firstBase);
                highWatermark = Math.max(highWatermark, logStartOffset);
                epochCache.truncateFromStart(logStartOffset);
                producerState.deleteSnapshotsBelow(firstBase);
                LOG.info("Deleted {} segment(s) of {}; log start offset now {}", deleted, topicPartition,
                        logStartOffset);
            }
            return deleted;
        } catch (IOException e) {
            throw storageError("delete segments of", e);
        } finally {
            lock.unlock();
        }
    }

    /** Newest timestamp in the segment; file mtime if it holds no timestamps (as Kafka). */
    private static long largestTimestamp(LogSegment segment) throws IOException {
        long max = segment.maxTimestampSoFar();
        return max >= 0 ? max : Files.getLastModifiedTime(segment.logFile()).toMillis();
    }

    /**
     * DeleteRecords: moves the log start offset up (never down) and deletes segments now entirely below it.
     *
     * @throws OffsetOutOfRangeException if {@code newStart} is above the high watermark
     */
    public void maybeIncrementLogStartOffset(long newStart) {
        lock.lock();
        try {
            ensureOpen();
            if (newStart > highWatermark) {
                throw new OffsetOutOfRangeException("Cannot move the log start offset of " + topicPartition + " to "
                        + newStart + ", beyond the high watermark " + highWatermark);
            }
            if (newStart <= logStartOffset) {
                return;
            }
            logStartOffset = newStart;
            epochCache.truncateFromStart(newStart);
        } catch (IOException e) {
            throw storageError("advance the log start of", e);
        } finally {
            lock.unlock();
        }
        logStartListener.run();
        deleteSegments(false);
    }

    /** Renames the segment's files to *.deleted and closes+deletes them after file.delete.delay.ms. */
    private void deleteSegment(LogSegment segment) throws IOException {
        segment.renameToDeleted();
        long nowMs = time.milliseconds();
        deleteQueue.schedule(nowMs + config.fileDeleteDelayMs(), nowMs, segment.logFile().toString(),
                segment::closeAndDelete);
    }

    // ---------------------------------------------------------------- compaction (see LogCleaner)

    /** How many truncations this log has seen; see {@link #truncations}. */
    long truncationCount() {
        return truncations;
    }

    /** Read-only live view of the segments for the cleaner; the last one is the active segment. */
    java.util.NavigableMap<Long, LogSegment> segmentsForCleaning() {
        return java.util.Collections.unmodifiableNavigableMap(segments);
    }

    /**
     * Swaps the cleaner's {@code cleaned} segment (files still {@code .cleaned}, complete and fsynced) in for
     * {@code old}, consecutive non-active segments that the cleaner read with sizes {@code sizesRead}, following
     * {@link SegmentSwap}'s crash-safe protocol. Returns false, changing nothing, if the log changed meanwhile (it
     * was truncated since {@code truncationsAtStart} was read from {@link #truncationCount}, one of the segments was
     * deleted or became active again, or the log closed); the caller then drops the files.
     *
     * <p>Readers never see a gap: the cleaned segment takes the first old segment's slot before the others leave
     * the map, and a reader still on an old segment keeps a valid channel until its delayed deletion.
     */
    boolean replaceWithCleaned(List<LogSegment> old, int[] sizesRead, LogSegment cleaned, long truncationsAtStart,
                               SegmentSwap.Hook hook) {
        assert !old.isEmpty() && old.get(0).baseOffset == cleaned.baseOffset : "the cleaned segment takes the first slot";
        lock.lock();
        try {
            if (closed || offline || truncations != truncationsAtStart) {
                return false;
            }
            Long expected = old.get(0).baseOffset;
            for (int i = 0; i < old.size(); i++) {
                LogSegment segment = old.get(i);
                if (expected == null || expected != segment.baseOffset || segments.get(segment.baseOffset) != segment
                        || segment == activeSegment || segment.sizeInBytes() != sizesRead[i]) {
                    return false;
                }
                expected = segments.higherKey(segment.baseOffset);
            }
            try {
                SegmentSwap.commit(dir, cleaned, hook);
            } catch (IOException | RuntimeException | Error e) {
                // Not in the segment map yet, so no close of the log would ever close it. Only the channel: the
                // files stay exactly as they are for recovery to resolve.
                closeQuietly(cleaned);
                throw e;
            }
            segments.put(cleaned.baseOffset, cleaned);
            for (LogSegment segment : old.subList(1, old.size())) {
                segments.remove(segment.baseOffset);
            }
            for (LogSegment segment : old) {
                deleteSegment(segment);
                hook.after(SegmentSwap.Step.OLD_SEGMENT_RETIRED, cleaned.baseOffset);
            }
            SegmentSwap.finish(dir, cleaned, hook);
            return true;
        } catch (IOException e) {
            throw storageError("swap cleaned segments into", e);
        } finally {
            lock.unlock();
        }
    }

    private void closeQuietly(LogSegment segment) {
        try {
            segment.channel().close();
        } catch (IOException e) {
            LOG.warn("Could not close {}: {}", segment, e.toString());
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Flushes, snapshots producer state and closes the files. Further writes fail. */
    void close() {
        if (closed) {
            return;
        }
        if (offline) {
            // Nothing more may be written to a failed directory: no flush, snapshot or index trim. The next start
            // finds no clean-shutdown marker there and recovers the files as they are.
            try {
                closeAbruptly();
            } catch (IOException e) {
                LOG.warn("Could not close the files of offline log {}: {}", topicPartition, e.toString());
            }
            return;
        }
        flush();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            activeSegment.onBecomeInactive();
            producerState.takeSnapshot(logEndOffset);
            epochCache.persist();
            for (LogSegment segment : segments.values()) {
                segment.close();
            }
        } catch (IOException e) {
            throw storageError("close", e);
        } finally {
            lock.unlock();
        }
    }

    /** Crash simulation for tests: closes the files without flushing, snapshots or trimming. */
    void closeAbruptly() throws IOException {
        lock.lock();
        try {
            closed = true;
            for (LogSegment segment : segments.values()) {
                segment.channel().close();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletion of the whole partition: the directory is renamed to {@code <name>.<uuid>-delete} right away (so a
     * restart ignores it), and the files are closed and removed after file.delete.delay.ms.
     */
    void markDeletedAndScheduleRemoval() {
        lock.lock();
        try {
            closed = true;
            Path renamed = dir.resolveSibling(LogFiles.deleteDirName(topicPartition));
            Files.move(dir, renamed, StandardCopyOption.ATOMIC_MOVE);
            Checkpoints.fsyncDirectory(renamed.getParent());
            dir = renamed;
            long nowMs = time.milliseconds();
            List<LogSegment> all = new ArrayList<>(segments.values());
            deleteQueue.schedule(nowMs + config.fileDeleteDelayMs(), nowMs, renamed.toString(), () -> {
                for (LogSegment segment : all) {
                    segment.channel().close();
                }
                LogFiles.deleteRecursively(renamed);
            });
        } catch (IOException e) {
            throw storageError("delete", e);
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new KafkaStorageException("The log of " + topicPartition + " is closed");
        }
        ensureOnline();
    }

    private void ensureOnline() {
        if (offline) {
            throw new KafkaStorageException("The log of " + topicPartition + " is offline: its log directory "
                    + dir.getParent() + " failed");
        }
    }

    /** An I/O error outside the append and read paths (the cleaner's writes): this log's directory has failed. */
    KafkaStorageException failDirectory(String action, IOException e) {
        return storageError(action, e);
    }

        private KafkaStorageException storageError(String action, IOException e) {
        // Offline before anyone else can write: a failed write may have left a torn batch past the end.
        offline = true;
        dirFailureListener.accept(e);
        LOG.error("I/O error trying to {} {} in {}", action, topicPartition, dir, e);
        return new KafkaStorageException("I/O error trying to " + action + " " + topicPartition + ": " + e, e);
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", start=" + logStartOffset + ", end=" + logEndOffset + ", hw="
                + highWatermark + ", segments=" + segments.size() + ")";
    }

    /** Per-thread scratch for validation, which runs outside the lock. */
    private static final class ValidationScratch {
        final BatchHeaderFlyweight header = new BatchHeaderFlyweight();
        final CRC32C crc = new CRC32C();
    }
}
