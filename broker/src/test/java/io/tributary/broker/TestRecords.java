package io.tributary.broker;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;

/** Building produce payloads and reading fetched ones back. */
public final class TestRecords {
    private TestRecords() {
    }

    /** One uncompressed batch; record i gets timestamp {@code firstTimestampMs + i}. */
    public static MemoryRecords batch(long firstTimestampMs, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(firstTimestampMs + i, null, values[i].getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    /** One batch of one record with the given timestamp and a value of {@code valueBytes} bytes. */
    public static MemoryRecords sized(long timestampMs, int valueBytes) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(timestampMs, null, new byte[valueBytes]));
    }

    public static List<String> values(BaseRecords records) {
        List<String> out = new ArrayList<>();
        for (Record r : ((MemoryRecords) records).records()) {
            out.add(new String(Utils.toArray(r.value())));
        }
        return out;
    }

    public static List<Long> offsets(BaseRecords records) {
        List<Long> out = new ArrayList<>();
        for (Record r : ((MemoryRecords) records).records()) {
            out.add(r.offset());
        }
        return out;
    }

    /** Base offsets of the batches, which fetches always return whole. */
    public static List<Long> batchBaseOffsets(BaseRecords records) {
        List<Long> out = new ArrayList<>();
        for (RecordBatch b : ((MemoryRecords) records).batches()) {
            out.add(b.baseOffset());
        }
        return out;
    }
}
