package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** compression.type re-encoding and the compacted-topic key rule: the produce rules that look inside batches. */
class RecordLevelRulesTest extends LogTestBase {

    private static final long PRODUCER_ID = 4242L;
    private static final short EPOCH = 3;

    /**
     * A batch of {@code keys.length} records: null entries make keyless records; each record has a header and a
     * value naming its index, and timestamps ts, ts+7, ts+14...
     */
    static ByteBuffer batch(Compression compression, long timestampMs, long producerId, short epoch, int sequence,
                            String... keys) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(2048), RecordBatch.MAGIC_VALUE_V2,
                compression, TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, producerId, epoch, sequence);
        for (int i = 0; i < keys.length; i++) {
            byte[] key = keys[i] == null ? null : keys[i].getBytes(StandardCharsets.UTF_8);
            Header[] headers = {new RecordHeader("h", ("hv" + i).getBytes(StandardCharsets.UTF_8))};
            builder.append(timestampMs + 7L * i, key, ("value-" + i + "-" + keys[i]).getBytes(StandardCharsets.UTF_8),
                    headers);
        }
        return builder.build().buffer();
    }

    static ByteBuffer batch(Compression compression, long timestampMs, String... keys) {
        return batch(compression, timestampMs, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, keys);
    }

    private List<MutableRecordBatch> stored(PartitionLog log) throws IOException {
        return TestBatches.batches(log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE));
    }

    @Test
    void gzipTopicReencodesOtherCodecsAndKeepsEverythingObservable() throws IOException {
        PartitionLog log = open(config(Map.of(LogConfig.COMPRESSION_TYPE, "gzip")));
        log.appendAsLeader(batch(Compression.NONE, T0, "a"), 0);
        ByteBuffer lz4 = batch(Compression.lz4().build(), T0 + 100, PRODUCER_ID, EPOCH, 0, "k0", "k1", "k2");
        ByteBuffer none = batch(Compression.NONE, T0 + 200, "n0", "n1");
        ByteBuffer gzip = batch(Compression.gzip().build(), T0 + 300, "g0");
        byte[] gzipOriginal = AppendValidationTest.copy(gzip);

        LogAppendInfo info = log.appendAsLeader(TestBatches.concat(lz4, none, gzip), 5);

        assertThat(info.firstOffset()).isEqualTo(1);
        assertThat(info.lastOffset()).isEqualTo(6);
        assertThat(info.recordCount()).isEqualTo(6);
        assertThat(log.logEndOffset()).isEqualTo(7);
        List<MutableRecordBatch> batches = stored(log);
        assertThat(batches).extracting(b -> b.compressionType()).containsOnly(CompressionType.GZIP);
        assertThat(batches).extracting(RecordBatch::baseOffset).containsExactly(0L, 1L, 4L, 6L);
        assertThat(batches).extracting(RecordBatch::partitionLeaderEpoch).containsExactly(0, 5, 5, 5);

        MutableRecordBatch reencoded = batches.get(1);
        assertThat(reencoded.producerId()).isEqualTo(PRODUCER_ID);
        assertThat(reencoded.producerEpoch()).isEqualTo(EPOCH);
        assertThat(reencoded.baseSequence()).isZero();
        assertThat(reencoded.lastSequence()).isEqualTo(2);
        assertThat(reencoded.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(reencoded.maxTimestamp()).isEqualTo(T0 + 114);
        assertRecords(reencoded, 1, T0 + 100, "k0", "k1", "k2");
        assertRecords(batches.get(2), 4, T0 + 200, "n0", "n1");
        assertRecords(batches.get(3), 6, T0 + 300, "g0");

        // A batch already in the topic's codec is stored byte for byte (but for offset and epoch).
        ByteBuffer raw = TestBatches.bytes(log.read(6, Integer.MAX_VALUE, false, Long.MAX_VALUE));
        assertThat(Arrays.copyOfRange(AppendValidationTest.copy(raw), 17, raw.remaining()))
                .isEqualTo(Arrays.copyOfRange(gzipOriginal, 17, gzipOriginal.length));
    }

    @Test
    void reencodingUsesTheTopicsCompressionLevel() {
        String[] keys = new String[150];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "customer-" + (i * 7919 % 1000) + "-order-" + i;
        }
        ByteBuffer plain = batch(Compression.NONE, T0, keys);
        LogConfig fast = config(Map.of(LogConfig.COMPRESSION_TYPE, "zstd", CompressionLevels.ZSTD_LEVEL, "1"));
        LogConfig small = config(Map.of(LogConfig.COMPRESSION_TYPE, "zstd", CompressionLevels.ZSTD_LEVEL, "19"));
        assertThat(fast.compressionLevels().zstd()).isEqualTo(1);
        assertThat(small.compressionLevels()).isEqualTo(new CompressionLevels(-1, 9, 19));

        ByteBuffer atLevel1 = BatchReencoder.reencode(plain.duplicate(), fast.compressionLevels()
                .forCodec(CompressionType.ZSTD), 0, null, BufferSupplier.create());
        ByteBuffer atLevel19 = BatchReencoder.reencode(plain.duplicate(), small.compressionLevels()
                .forCodec(CompressionType.ZSTD), 0, null, BufferSupplier.create());

        assertThat(atLevel19.remaining()).as("zstd level 19 compresses better than level 1")
                .isLessThan(atLevel1.remaining());
        for (ByteBuffer b : List.of(atLevel1, atLevel19)) {
            MutableRecordBatch only = MemoryRecords.readableRecords(b)
                    .batchIterator().next();
            assertThat(only.compressionType()).isEqualTo(CompressionType.ZSTD);
            assertRecords(only, 0, T0, keys);
        }
        assertThatThrownBy(() -> config(Map.of(CompressionLevels.GZIP_LEVEL, "10")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(CompressionLevels.GZIP_LEVEL);
    }

    @Test
    void producerStateFollowsTheReencodedBatch() throws IOException {
        PartitionLog log = open(config(Map.of(LogConfig.COMPRESSION_TYPE, "zstd")));
        ByteBuffer first = batch(Compression.NONE, T0, PRODUCER_ID, EPOCH, 0, "a", "b");
        ByteBuffer retry = AppendValidationTest.copyOf(first);
        assertThat(log.appendAsLeader(first, 0).duplicate()).isFalse();

        LogAppendInfo again = log.appendAsLeader(retry, 0);
        assertThat(again.duplicate()).as("the retry of a re-encoded batch is recognised").isTrue();
        assertThat(again.firstOffset()).isZero();
        assertThat(again.lastOffset()).isEqualTo(1);

        log.appendAsLeader(batch(Compression.snappy().build(), T0, PRODUCER_ID, EPOCH, 2, "c"), 0);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(stored(log)).extracting(b -> b.compressionType()).containsOnly(CompressionType.ZSTD);
    }

    @Test
    void uncompressedTopicDecompressesZstd() throws IOException {
        PartitionLog log = open(config(Map.of(LogConfig.COMPRESSION_TYPE, "uncompressed")));
        log.appendAsLeader(batch(Compression.zstd().build(), T0, "x", "y", "z"), 0);
        MutableRecordBatch only = stored(log).get(0);
        assertThat(only.compressionType()).isEqualTo(CompressionType.NONE);
        assertRecords(only, 0, T0, "x", "y", "z");
    }

    @Test
    void logAppendTimeAppliesToReencodedBatches() throws IOException {
        PartitionLog log = open(config(Map.of(LogConfig.COMPRESSION_TYPE, "lz4",
                LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime")));
        time.advance(1234);
        LogAppendInfo info = log.appendAsLeader(batch(Compression.gzip().build(), T0 - 50_000, "a", "b"), 0);
        assertThat(info.logAppendTimeMs()).isEqualTo(T0 + 1234);
        MutableRecordBatch only = stored(log).get(0);
        assertThat(only.compressionType()).isEqualTo(CompressionType.LZ4);
        assertThat(only.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        for (Record record : only) {
            assertThat(record.timestamp()).isEqualTo(T0 + 1234);
        }
    }

    @Test
    void aBatchThatOutgrowsMaxMessageBytesWhenDecompressedIsRejected() {
        PartitionLog log = open(config(Map.of(LogConfig.COMPRESSION_TYPE, "uncompressed",
                LogConfig.MAX_MESSAGE_BYTES, "2000")));
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(4096), Compression.gzip().build(),
                TimestampType.CREATE_TIME, 0L);
        builder.append(T0, "k".getBytes(StandardCharsets.UTF_8), new byte[10_000]);
        ByteBuffer compressible = builder.build().buffer();
        assertThat(compressible.remaining()).isLessThan(2000);
        assertThatThrownBy(() -> log.appendAsLeader(compressible, 0)).isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("max.message.bytes 2000");
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    @Test
    void garbageInsideACompressedBatchIsCorruptNotAServerError() {
        PartitionLog log = open(config(Map.of(LogConfig.COMPRESSION_TYPE, "zstd")));
        ByteBuffer gzip = batch(Compression.gzip().build(), T0, "a", "b", "c");
        for (int i = BatchHeaderFlyweight.HEADER_SIZE; i < gzip.limit(); i++) {
            gzip.put(i, (byte) 0x5A);
        }
        AppendValidationTest.fixCrc(gzip);
        assertThatThrownBy(() -> log.appendAsLeader(gzip, 0)).isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void compactedTopicRejectsKeylessRecordsNamingEachOfThem(String codec) throws IOException {
        PartitionLog log = open(config(Map.of(LogConfig.CLEANUP_POLICY, "compact")));
        Compression compression = AppendValidationTest.compression(codec);
        log.appendAsLeader(batch(compression, T0, "a", "b"), 0);

        ByteBuffer mixed = TestBatches.concat(batch(compression, T0, "c", null), batch(compression, T0, "d", "e", null));
        assertThatThrownBy(() -> log.appendAsLeader(mixed, 0))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("Compacted topic orders cannot accept a record without a key")
                .hasMessageContaining("2 of the 5 records for orders-0")
                .satisfies(e -> assertThat(((RecordValidationException) e).recordErrors())
                        .extracting(RecordValidationException.RecordError::batchIndex).containsExactly(1, 4));
        assertThat(log.logEndOffset()).as("nothing of a rejected record set is written").isEqualTo(2);

        log.appendAsLeader(batch(compression, T0, "f", "g"), 0);
        assertThat(log.logEndOffset()).isEqualTo(4);
        List<Record> records = TestBatches.records(log.read(0, Integer.MAX_VALUE, false, Long.MAX_VALUE));
        assertThat(records).extracting(r -> new String(AppendValidationTest.bytes(r.key()), StandardCharsets.UTF_8))
                .containsExactly("a", "b", "f", "g");
    }

    @Test
    void compactedTopicWithATargetCodecChecksKeysWhileReencoding() {
        PartitionLog log = open(config(Map.of(LogConfig.CLEANUP_POLICY, "compact,delete",
                LogConfig.COMPRESSION_TYPE, "gzip")));
        assertThatThrownBy(() -> log.appendAsLeader(batch(Compression.lz4().build(), T0, null, "b"), 0))
                .isInstanceOf(RecordValidationException.class)
                .satisfies(e -> assertThat(((RecordValidationException) e).recordErrors())
                        .extracting(RecordValidationException.RecordError::batchIndex).containsExactly(0));
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void deleteTopicsAcceptKeylessRecords() {
        PartitionLog log = open();
        log.appendAsLeader(batch(Compression.NONE, T0, null, null), 0);
        assertThat(log.logEndOffset()).isEqualTo(2);
    }

    @Test
    void recordsMustBeNumberedFromZeroInsideTheirBatch() {
        PartitionLog log = open(config(Map.of(LogConfig.CLEANUP_POLICY, "compact")));
        ByteBuffer batch = batch(Compression.NONE, T0, "a", "b");
        // First record: length, attributes, timestamp delta (0), then its offset delta, zigzag varint 0.
        int offsetDeltaAt = BatchHeaderFlyweight.HEADER_SIZE + 3;
        assertThat(batch.get(offsetDeltaAt)).isZero();
        batch.put(offsetDeltaAt, (byte) 2); // zigzag(1)
        AppendValidationTest.fixCrc(batch);
        assertThatThrownBy(() -> log.appendAsLeader(batch, 0)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("offset delta 1");
    }

    @Test
    void aRecordLengthRunningPastItsBatchIsCorrupt() {
        PartitionLog log = open(config(Map.of(LogConfig.CLEANUP_POLICY, "compact")));
        ByteBuffer batch = batch(Compression.NONE, T0, "a");
        batch.put(BatchHeaderFlyweight.HEADER_SIZE, (byte) 0x7E); // zigzag(63): far more than the record has
        AppendValidationTest.fixCrc(batch);
        assertThatThrownBy(() -> log.appendAsLeader(batch, 0)).isInstanceOf(CorruptRecordException.class);
    }

    /** Offsets, timestamps, keys, values and headers of a batch built by {@link #batch}. */
    private static void assertRecords(MutableRecordBatch batch, long baseOffset, long timestampMs, String... keys) {
        batch.ensureValid();
        List<Record> records = new ArrayList<>();
        batch.forEach(records::add);
        assertThat(records).hasSize(keys.length);
        for (int i = 0; i < keys.length; i++) {
            Record r = records.get(i);
            assertThat(r.offset()).isEqualTo(baseOffset + i);
            assertThat(r.timestamp()).isEqualTo(timestampMs + 7L * i);
            assertThat(new String(AppendValidationTest.bytes(r.key()), StandardCharsets.UTF_8)).isEqualTo(keys[i]);
            assertThat(new String(AppendValidationTest.bytes(r.value()), StandardCharsets.UTF_8))
                    .isEqualTo("value-" + i + "-" + keys[i]);
            assertThat(r.headers()).hasSize(1);
            assertThat(r.headers()[0].key()).isEqualTo("h");
            assertThat(new String(r.headers()[0].value(), StandardCharsets.UTF_8)).isEqualTo("hv" + i);
        }
    }
}
