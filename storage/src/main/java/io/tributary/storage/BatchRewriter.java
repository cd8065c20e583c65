package io.tributary.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Decides, record by record, what of one batch survives compaction, and writes the survivors as a batch that
 * looks as much as possible like the original: same codec, base and last offset (so the producer's sequence range
 * is unchanged), producer id/epoch/base sequence, partition leader epoch, timestamp type, record timestamps and
 * headers. A batch that loses nothing is copied byte for byte.
 *
 * <p>Kept: the latest record of every key (per the offset map; records at or past the map's end are always kept),
 * records without a key (compacted topics reject them at produce time; any written before the topic became compacted
 * are kept rather than lost), control batches (transaction markers; dropping markers of finished transactions and
 * aborted data comes with transactions), and tombstones until their delete horizon passes.
 *
 * <p>Tombstones follow KIP-534: the first cleaning that keeps a tombstone stamps its batch with a delete horizon of
 * now + delete.retention.ms (the batch's delete-horizon attribute and base timestamp); a later cleaning after the
 * horizon drops it, provided the offset map of that cleaning covers it. When nothing of a batch survives but the batch must stay (the last batch of a producer whose
 * idempotence state is live, or the last batch of a cleaned group, see {@link SegmentSwap}), an empty batch with
 * the original header fields is written instead.
 */
final class BatchRewriter {

    /** What happened to one batch. */
    static final class Outcome {
        int recordsRead;
        int recordsKept;
        /**
         * Delete horizon of the batch as written if it keeps tombstones that a cleaning after the horizon will drop
         * (those below the map's end), else Long.MAX_VALUE.
         */
        long tombstoneHorizonMs = Long.MAX_VALUE;
    }

    private final BufferSupplier decompressionBuffers = BufferSupplier.create();
    private final List<Record> kept = new ArrayList<>();
    private final ByteBuffer emptyHeader = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);

    /**
     * Filters {@code batch} (whose exact bytes are {@code original}) into {@code out}.
     *
     * @param map          latest offset per key; records below their key's latest offset go
     * @param mapEnd       the map covers every key below this offset: only there is a record without a later
     *                     record of its key known to be its key's only one, so only there may an expired tombstone
     *                     go (past it, an older value of the key could still be around and would come back)
     * @param keepHeader   write at least an empty batch even if no record survives
     */
    Outcome rewrite(MutableRecordBatch batch, ByteBuffer original, OffsetMap map, long mapEnd, boolean keepHeader,
                    long nowMs, long deleteRetentionMs, ByteBufferOutputStream out, Outcome outcome) {
        outcome.recordsRead = 0;
        outcome.recordsKept = 0;
        outcome.tombstoneHorizonMs = Long.MAX_VALUE;
        if (batch.isControlBatch()) {
            outcome.recordsRead = outcome.recordsKept = batchRecordCount(original);
            out.write(original.duplicate());
            return outcome;
        }
        kept.clear();
        boolean tombstones = false;
        boolean droppableLater = false;
        long existingHorizon = batch.deleteHorizonMs().orElse(RecordBatch.NO_TIMESTAMP);
        boolean horizonPassed = batch.deleteHorizonMs().isPresent() && nowMs >= existingHorizon;
        try (CloseableIterator<Record> records = batch.streamingIterator(decompressionBuffers)) {
            while (records.hasNext()) {
                Record record = records.next();
                outcome.recordsRead++;
                if (record.hasKey() && record.offset() < map.get(record.key())) {
                    continue;
                }
                if (record.hasKey() && !record.hasValue()) {
                    if (horizonPassed && record.offset() < mapEnd) {
                        continue;
                    }
                    tombstones = true;
                    droppableLater |= record.offset() < mapEnd;
                }
                kept.add(record);
            }
        }
        outcome.recordsKept = kept.size();
        boolean needsHorizon = tombstones && batch.deleteHorizonMs().isEmpty();
        // An already-empty batch (a header kept by an earlier pass) is not "unchanged": it stays only while it
        // still has to, or every pass would carry it forward and the log would grow by a header per pass.
        if (!kept.isEmpty() && kept.size() == outcome.recordsRead && !needsHorizon) {
            out.write(original.duplicate());
        } else if (!kept.isEmpty()) {
            long horizon = needsHorizon ? saturatedAdd(nowMs, deleteRetentionMs) : existingHorizon;
            writeRetained(batch, horizon, out);
        } else if (keepHeader) {
            writeEmpty(batch, out);
        }
        if (droppableLater) {
            outcome.tombstoneHorizonMs = needsHorizon ? saturatedAdd(nowMs, deleteRetentionMs) : existingHorizon;
        }
        kept.clear();
        return outcome;
    }

    private void writeRetained(MutableRecordBatch batch, long deleteHorizonMs, ByteBufferOutputStream out) {
        long logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp()
                : RecordBatch.NO_TIMESTAMP;
        MemoryRecordsBuilder builder = new MemoryRecordsBuilder(out, RecordBatch.MAGIC_VALUE_V2,
                Compression.of(batch.compressionType()).build(), batch.timestampType(), batch.baseOffset(),
                logAppendTime, batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                batch.isTransactional(), false, batch.partitionLeaderEpoch(), Integer.MAX_VALUE, deleteHorizonMs);
        for (Record record : kept) {
            builder.appendWithOffset(record.offset(), record);
        }
        // Keeps lastOffsetDelta, hence the producer's last sequence, exactly as in the original batch.
        builder.overrideLastOffset(batch.lastOffset());
        builder.close();
    }

    private void writeEmpty(MutableRecordBatch batch, ByteBufferOutputStream out) {
        emptyHeader.clear();
        DefaultRecordBatch.writeEmptyHeader(emptyHeader, RecordBatch.MAGIC_VALUE_V2, batch.producerId(),
                batch.producerEpoch(), batch.baseSequence(), batch.baseOffset(), batch.lastOffset(),
                batch.partitionLeaderEpoch(), batch.timestampType(), batch.maxTimestamp(), batch.isTransactional(),
                false);
        out.write(emptyHeader.array(), 0, DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
    }

    private static int batchRecordCount(ByteBuffer original) {
        return original.getInt(original.position() + BatchHeaderFlyweight.RECORDS_COUNT_OFFSET);
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
