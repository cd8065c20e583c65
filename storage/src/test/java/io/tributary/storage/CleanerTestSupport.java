package io.tributary.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Keyed batches for cleaner tests and a reader that returns what a consumer reading the whole log would get. */
final class CleanerTestSupport {

    /** One record as a consumer sees it: offset, key, value (null for a tombstone). */
    record Rec(long offset, String key, String value) {
    }

    private CleanerTestSupport() {
    }

    /** A batch of {@code key=value} records ({@code value} null = tombstone), each with a header "h". */
    static ByteBuffer keyed(long timestampMs, Compression compression, long producerId, short epoch, int baseSequence,
                            String... keyValues) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024 + keyValues.length * 64),
                RecordBatch.MAGIC_VALUE_V2, compression, TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP,
                producerId, epoch, baseSequence);
        for (int i = 0; i < keyValues.length; i += 2) {
            byte[] value = keyValues[i + 1] == null ? null : keyValues[i + 1].getBytes(StandardCharsets.UTF_8);
            builder.append(timestampMs + i / 2, keyValues[i].getBytes(StandardCharsets.UTF_8), value,
                    new Header[] {new RecordHeader("h", ("hv-" + keyValues[i]).getBytes(StandardCharsets.UTF_8))});
        }
        return builder.build().buffer();
    }

    static ByteBuffer keyed(long timestampMs, Compression compression, String... keyValues) {
        return keyed(timestampMs, compression, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, keyValues);
    }

    static ByteBuffer keyed(long timestampMs, String... keyValues) {
        return keyed(timestampMs, Compression.NONE, keyValues);
    }

    /** Every batch from the log start to the log end, each CRC-checked, in order. */
    static List<MutableRecordBatch> allBatches(PartitionLog log) throws IOException {
        List<MutableRecordBatch> batches = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            FetchSlice slice = log.read(next, 1 << 20, true, Long.MAX_VALUE);
            if (slice.isEmpty()) {
                throw new AssertionError("Empty read at " + next + " below the log end " + log.logEndOffset());
            }
            for (MutableRecordBatch batch : TestBatches.batches(slice)) {
                batches.add(batch);
                next = batch.lastOffset() + 1;
            }
        }
        return batches;
    }

    /** The records a consumer would see from the log start, in order (records below the log start skipped). */
    static List<Rec> readAll(PartitionLog log) throws IOException {
        List<Rec> records = new ArrayList<>();
        long start = log.logStartOffset();
        for (MutableRecordBatch batch : allBatches(log)) {
            if (batch.isControlBatch()) {
                continue;
            }
            for (Record record : batch) {
                if (record.offset() >= start) {
                    records.add(new Rec(record.offset(), string(record.key()), string(record.value())));
                }
            }
        }
        return records;
    }

    /** Latest record per key among {@code records}. */
    static Map<String, Rec> latestByKey(List<Rec> records) {
        Map<String, Rec> latest = new LinkedHashMap<>();
        for (Rec rec : records) {
            latest.put(rec.key(), rec);
        }
        return latest;
    }

    static String string(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A cleaner config for tests: small buffers, unthrottled, never started as threads. */
    static CleanerConfig cleanerConfig(long dedupeBytes) {
        return new CleanerConfig(true, 1, dedupeBytes, 4096, 0.9, Double.MAX_VALUE, 15_000L);
    }
}
