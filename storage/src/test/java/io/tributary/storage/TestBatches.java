package io.tributary.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Builds real v2 batches with kafka-clients and reads fetch slices back, the way clients would see them. */
final class TestBatches {

    private TestBatches() {
    }

    /** A non-idempotent batch of {@code count} records with timestamps ts, ts+1, ... */
    static ByteBuffer batch(long timestampMs, int count, Compression compression) {
        return idempotent(timestampMs, count, compression, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE);
    }

    static ByteBuffer batch(long timestampMs, int count) {
        return batch(timestampMs, count, Compression.NONE);
    }

    static ByteBuffer idempotent(long timestampMs, int count, Compression compression, long producerId,
                                 short epoch, int baseSequence) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024 + count * 64),
                RecordBatch.MAGIC_VALUE_V2, compression, TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP,
                producerId, epoch, baseSequence);
        for (int i = 0; i < count; i++) {
            builder.append(timestampMs + i, ("k" + i).getBytes(), ("value-" + i + "-" + timestampMs).getBytes());
        }
        return builder.build().buffer();
    }

    static ByteBuffer idempotent(long timestampMs, int count, long producerId, short epoch, int baseSequence) {
        return idempotent(timestampMs, count, Compression.NONE, producerId, epoch, baseSequence);
    }

    /** A batch whose records carry {@code valueBytes}-byte values (for size-driven tests). */
    static ByteBuffer sized(long timestampMs, int count, int valueBytes) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(256 + count * (valueBytes + 64)),
                Compression.NONE, TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < count; i++) {
            builder.append(timestampMs, null, new byte[valueBytes]);
        }
        return builder.build().buffer();
    }

    static ByteBuffer concat(ByteBuffer... buffers) {
        int size = 0;
        for (ByteBuffer b : buffers) {
            size += b.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer b : buffers) {
            all.put(b.duplicate());
        }
        return all.flip();
    }

    /** The bytes of a fetch slice. */
    static ByteBuffer bytes(FetchSlice slice) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(slice.sizeInBytes());
        long position = slice.position();
        while (buffer.hasRemaining()) {
            int n = slice.channel().read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("EOF");
            }
        }
        return buffer.flip();
    }

    /** Batches of a fetch slice, each checked to be valid (CRC) as a consumer would. */
    static List<MutableRecordBatch> batches(FetchSlice slice) throws IOException {
        List<MutableRecordBatch> batches = new ArrayList<>();
        if (slice.isEmpty()) {
            return batches;
        }
        for (MutableRecordBatch batch : MemoryRecords.readableRecords(bytes(slice)).batches()) {
            batch.ensureValid();
            batches.add(batch);
        }
        return batches;
    }

    static List<Record> records(FetchSlice slice) throws IOException {
        List<Record> records = new ArrayList<>();
        for (MutableRecordBatch batch : batches(slice)) {
            batch.forEach(records::add);
        }
        return records;
    }
}
