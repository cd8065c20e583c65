package io.tributary.storage;

import java.nio.ByteBuffer;
import java.util.function.IntConsumer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * Rewrites one v2 batch with another codec: the only place the broker re-encodes what a producer sent, because a
 * topic's {@code compression.type} names a codec the batch does not use. Everything a reader or the producer-state
 * machinery can observe survives: base offset and offset deltas, producer id, epoch and base sequence, the
 * transactional flag, the timestamp type and every record's timestamp, key, value and headers. Only the codec, the
 * byte layout and hence the CRC change; the caller then assigns offsets exactly as for a batch stored as it came.
 */
final class BatchReencoder {

    private BatchReencoder() {
    }

    /**
     * @param batch      exactly one validated v2 batch (position..limit)
     * @param target     the codec, at its level, the rewritten batch uses
     * @param firstIndex index of the batch's first record within the request's record set (for error reports)
     * @param nullKeys   told the record-set index of every record without a key; null when keys do not matter
     * @return a new buffer holding the rewritten batch (position 0..limit)
     */
    static ByteBuffer reencode(ByteBuffer batch, Compression target, int firstIndex, IntConsumer nullKeys,
                               BufferSupplier decompressionBuffers) {
        MutableRecordBatch source = MemoryRecords.readableRecords(batch.slice()).batchIterator().next();
        TimestampType timestampType = source.timestampType();
        long logAppendTime = timestampType == TimestampType.LOG_APPEND_TIME ? source.maxTimestamp()
                : RecordBatch.NO_TIMESTAMP;
        // A guess only: the builder's stream grows as needed. Decompressing usually grows a batch a few times.
        int initialBytes = target.type() == CompressionType.NONE ? 4 * batch.remaining() : batch.remaining();
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(Math.max(initialBytes, 256)),
                RecordBatch.MAGIC_VALUE_V2, target, timestampType, source.baseOffset(),
                logAppendTime, source.producerId(), source.producerEpoch(), source.baseSequence(),
                source.isTransactional(), source.partitionLeaderEpoch());
        RecordLevelValidator.walkRecords(source, () -> source.streamingIterator(decompressionBuffers),
                source.countOrNull(), firstIndex, nullKeys, record -> builder.appendWithOffset(record.offset(), record));
        ByteBuffer rebuilt = builder.build().buffer();
        assert rebuilt.position() == 0 && rebuilt.limit() > BatchHeaderFlyweight.HEADER_SIZE
                : "a rebuilt batch is one whole batch";
        return rebuilt;
    }
}
