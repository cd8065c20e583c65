package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AppendValidationTest extends LogTestBase {

    static Compression compression(String name) {
        switch (name) {
            case "none": return Compression.NONE;
            case "gzip": return Compression.gzip().build();
            case "snappy": return Compression.snappy().build();
            case "lz4": return Compression.lz4().build();
            case "zstd": return Compression.zstd().build();
            default: throw new IllegalArgumentException(name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void roundTripKeepsBatchBytesExceptOffsetAndEpoch(String codec) throws IOException {
        PartitionLog log = open();
        ByteBuffer first = TestBatches.batch(T0, 3, compression(codec));
        ByteBuffer second = TestBatches.batch(T0 + 10, 5, compression(codec));
        byte[] firstOriginal = copy(first);
        byte[] secondOriginal = copy(second);

        LogAppendInfo a = log.appendAsLeader(first, 7);
        LogAppendInfo b = log.appendAsLeader(second, 7);

        assertThat(a.firstOffset()).isZero();
        assertThat(a.lastOffset()).isEqualTo(2);
        assertThat(b.firstOffset()).isEqualTo(3);
        assertThat(b.lastOffset()).isEqualTo(7);
        assertThat(a.logAppendTimeMs()).isEqualTo(-1);
        assertThat(log.logEndOffset()).isEqualTo(8);

        ByteBuffer read = TestBatches.bytes(log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE));
        assertThat(read.remaining()).isEqualTo(firstOriginal.length + secondOriginal.length);
        assertSameExceptHeaderFields(read, 0, firstOriginal, 0, 7);
        assertSameExceptHeaderFields(read, firstOriginal.length, secondOriginal, 3, 7);

        List<MutableRecordBatch> batches = TestBatches.batches(log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE));
        assertThat(batches).hasSize(2);
        assertThat(batches.get(1).compressionType().name).isEqualTo(codec);
        List<Record> records = TestBatches.records(log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE));
        assertThat(records).extracting(Record::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(records.get(4).timestamp()).isEqualTo(T0 + 11);
        assertThat(new String(bytes(records.get(4).value()))).isEqualTo("value-1-" + (T0 + 10));
    }

    private static void assertSameExceptHeaderFields(ByteBuffer read, int at, byte[] original, long baseOffset,
                                                     int epoch) {
        assertThat(read.getLong(at)).isEqualTo(baseOffset);
        assertThat(read.getInt(at + 12)).isEqualTo(epoch);
        for (int i = 8; i < original.length; i++) {
            if (i >= 12 && i < 16) {
                continue;
            }
            assertThat(read.get(at + i)).as("byte %d", i).isEqualTo(original[i]);
        }
    }

    @Test
    void severalBatchesInOneRequestGetContiguousOffsets() throws IOException {
        PartitionLog log = open();
        log.appendAsLeader(TestBatches.batch(T0, 2), 0);
        LogAppendInfo info = log.appendAsLeader(TestBatches.concat(TestBatches.batch(T0, 3),
                TestBatches.batch(T0, 4, Compression.gzip().build()), TestBatches.batch(T0, 1)), 0);
        assertThat(info.firstOffset()).isEqualTo(2);
        assertThat(info.lastOffset()).isEqualTo(9);
        assertThat(info.recordCount()).isEqualTo(8);
        assertThat(TestBatches.batches(log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE)))
                .extracting(RecordBatch::baseOffset).containsExactly(0L, 2L, 5L, 9L);
    }

    @Test
    void logAppendTimeRewritesMaxTimestampAndCrc() throws IOException {
        PartitionLog log = open(config(Map.of(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime")));
        time.advance(5000);
        LogAppendInfo info = log.appendAsLeader(TestBatches.batch(T0 - 100_000_000L, 3, Compression.lz4().build()),
                0);
        assertThat(info.logAppendTimeMs()).isEqualTo(T0 + 5000);
        MutableRecordBatch batch = TestBatches.batches(log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE)).get(0);
        assertThat(batch.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(batch.maxTimestamp()).isEqualTo(T0 + 5000);
        for (Record record : batch) {
            assertThat(record.timestamp()).isEqualTo(T0 + 5000);
        }
    }

    @Test
    void rejectsOldMagic() {
        PartitionLog log = open();
        ByteBuffer v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                new SimpleRecord(T0, "k".getBytes(), "v".getBytes())).buffer();
        assertThatThrownBy(() -> log.appendAsLeader(v1, 0)).isInstanceOf(UnsupportedForMessageFormatException.class);
        assertUntouched(log);
    }

    @Test
    void rejectsTruncatedAndInconsistentFraming() {
        PartitionLog log = open();
        ByteBuffer batch = TestBatches.batch(T0, 3);
        ByteBuffer torn = batch.duplicate();
        torn.limit(torn.limit() - 5);
        assertThatThrownBy(() -> log.appendAsLeader(torn.slice(), 0)).isInstanceOf(CorruptRecordException.class);
        ByteBuffer trailing = TestBatches.concat(batch, ByteBuffer.wrap(new byte[20]));
        assertThatThrownBy(() -> log.appendAsLeader(trailing, 0)).isInstanceOf(CorruptRecordException.class);
        ByteBuffer shortLength = copyOf(batch);
        shortLength.putInt(8, 10);
        assertThatThrownBy(() -> log.appendAsLeader(shortLength, 0)).isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> log.appendAsLeader(ByteBuffer.allocate(0), 0))
                .isInstanceOf(InvalidRecordException.class);
        assertUntouched(log);
    }

    @Test
    void rejectsBadCrc() {
        PartitionLog log = open();
        ByteBuffer batch = copyOf(TestBatches.batch(T0, 3));
        int last = batch.limit() - 1;
        batch.put(last, (byte) (batch.get(last) ^ 0x5a));
        assertThatThrownBy(() -> log.appendAsLeader(batch, 0)).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("CRC");
        assertUntouched(log);
    }

    @Test
    void rejectsOversizedBatchAndOversizedSet() {
        PartitionLog log = open(config(Map.of(LogConfig.MAX_MESSAGE_BYTES, "500", LogConfig.SEGMENT_BYTES, "2000")));
        assertThatThrownBy(() -> log.appendAsLeader(TestBatches.sized(T0, 1, 600), 0))
                .isInstanceOf(RecordTooLargeException.class);
        ByteBuffer many = TestBatches.concat(TestBatches.sized(T0, 1, 300), TestBatches.sized(T0, 1, 300),
                TestBatches.sized(T0, 1, 300), TestBatches.sized(T0, 1, 300), TestBatches.sized(T0, 1, 300),
                TestBatches.sized(T0, 1, 300));
        assertThatThrownBy(() -> log.appendAsLeader(many, 0)).isInstanceOf(RecordBatchTooLargeException.class);
        assertUntouched(log);
    }

    @Test
    void rejectsRecordCountMismatchAndEmptyBatch() {
        PartitionLog log = open();
        ByteBuffer badDelta = copyOf(TestBatches.batch(T0, 3));
        badDelta.putInt(BatchHeaderFlyweight.LAST_OFFSET_DELTA_OFFSET, 5);
        fixCrc(badDelta);
        assertThatThrownBy(() -> log.appendAsLeader(badDelta, 0)).isInstanceOf(InvalidRecordException.class);
        ByteBuffer noRecords = copyOf(TestBatches.batch(T0, 1));
        noRecords.putInt(BatchHeaderFlyweight.RECORDS_COUNT_OFFSET, 0);
        noRecords.putInt(BatchHeaderFlyweight.LAST_OFFSET_DELTA_OFFSET, -1);
        fixCrc(noRecords);
        assertThatThrownBy(() -> log.appendAsLeader(noRecords, 0)).isInstanceOf(InvalidRecordException.class);
        assertUntouched(log);
    }

    @Test
    void rejectsControlBatchesFromClients() {
        PartitionLog log = open();
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(256), RecordBatch.MAGIC_VALUE_V2,
                Compression.NONE, TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, 5L, (short) 0, 0, true,
                true, RecordBatch.NO_PARTITION_LEADER_EPOCH);
        builder.appendEndTxnMarker(T0, new org.apache.kafka.common.record.internal.EndTransactionMarker(
                org.apache.kafka.common.record.internal.ControlRecordType.COMMIT, 0));
        ByteBuffer control = builder.build().buffer();
        assertThatThrownBy(() -> log.appendAsLeader(control, 0)).isInstanceOf(InvalidRecordException.class);
        assertUntouched(log);
    }

    @Test
    void rejectsCreateTimeOutsideBounds() {
        PartitionLog log = open(config(Map.of(LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, "60000",
                LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, "1000")));
        assertThatThrownBy(() -> log.appendAsLeader(TestBatches.batch(T0 - 60_001, 1), 0))
                .isInstanceOf(InvalidTimestampException.class);
        assertThatThrownBy(() -> log.appendAsLeader(TestBatches.batch(T0 + 1001, 1), 0))
                .isInstanceOf(InvalidTimestampException.class);
        // maxTimestamp is the last record here (T0 + 999 + 2 = T0 + 1001): too far ahead.
        assertThatThrownBy(() -> log.appendAsLeader(TestBatches.batch(T0 + 999, 3), 0))
                .isInstanceOf(InvalidTimestampException.class);
        assertUntouched(log);
        log.appendAsLeader(TestBatches.batch(T0 - 60_000, 1), 0);
        log.appendAsLeader(TestBatches.batch(T0 + 1000, 1), 0);
        assertThat(log.logEndOffset()).isEqualTo(2);
    }

    @Test
    void defaultTimestampBoundsAcceptAncientTimestamps() {
        PartitionLog log = open();
        log.appendAsLeader(TestBatches.batch(0L, 1), 0);
        assertThat(log.logEndOffset()).isEqualTo(1);
    }

    @Test
    void stampsLeaderEpochAndRejectsStaleOnes() throws IOException {
        PartitionLog log = open();
        log.appendAsLeader(TestBatches.batch(T0, 2), 3);
        log.appendAsLeader(TestBatches.batch(T0, 2), 5);
        log.appendAsLeader(TestBatches.batch(T0, 2), 5);
        assertThatThrownBy(() -> log.appendAsLeader(TestBatches.batch(T0, 2), 4))
                .isInstanceOf(FencedLeaderEpochException.class);
        assertThat(TestBatches.batches(log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE)))
                .extracting(RecordBatch::partitionLeaderEpoch).containsExactly(3, 5, 5);
        assertThat(log.latestEpoch()).isEqualTo(5);
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(5, 6));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(3, 2));
        assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 2));
        assertThat(log.endOffsetForEpoch(6)).isEqualTo(EpochEndOffset.UNDEFINED);
        assertThat(log.endOffsetForEpoch(-1)).isEqualTo(EpochEndOffset.UNDEFINED);
    }

    @Test
    void flushesWhenFlushMessagesIsReached() {
        PartitionLog log = open(config(Map.of(LogConfig.FLUSH_MESSAGES, "5")));
        log.appendAsLeader(TestBatches.batch(T0, 3), 0);
        assertThat(log.recoveryPoint()).isZero();
        log.appendAsLeader(TestBatches.batch(T0, 3), 0);
        assertThat(log.recoveryPoint()).isEqualTo(6);
    }

    private void assertUntouched(PartitionLog log) {
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    static void fixCrc(ByteBuffer batch) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = batch.duplicate();
        view.position(BatchHeaderFlyweight.ATTRIBUTES_OFFSET);
        crc.update(view);
        batch.putInt(BatchHeaderFlyweight.CRC_OFFSET, (int) crc.getValue());
    }

    static ByteBuffer copyOf(ByteBuffer buffer) {
        return ByteBuffer.wrap(copy(buffer));
    }

    static byte[] copy(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    static byte[] bytes(ByteBuffer buffer) {
        return copy(buffer);
    }
}
