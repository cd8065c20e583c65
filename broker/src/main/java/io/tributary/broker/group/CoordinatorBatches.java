package io.tributary.broker.group;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Turns coordinator records into one v2 record batch and back: the batch is the unit of atomicity in the log, so
 * all records of one state change go into the same batch.
 */
final class CoordinatorBatches {
    private CoordinatorBatches() {
    }

    static MemoryRecords encode(List<CoordinatorRecord> records, long nowMs) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("an empty batch changes nothing");
        }
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            CoordinatorRecord r = records.get(i);
            simple[i] = new SimpleRecord(nowMs, CoordinatorRecordSerde.key(r), CoordinatorRecordSerde.value(r));
        }
        return MemoryRecords.withRecords(Compression.NONE, simple);
    }

    /** Decodes every data record of every batch (control batches carry no coordinator state). */
    static void decode(MemoryRecords records, Consumer<CoordinatorRecord> sink) {
        for (RecordBatch batch : records.batches()) {
            if (batch.isControlBatch()) {
                continue;
            }
            for (Record record : batch) {
                ByteBuffer value = record.hasValue() ? record.value() : null;
                sink.accept(CoordinatorRecordSerde.decode(record.key(), value));
            }
        }
    }
}
