package io.tributary.storage;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A reusable view over the 61-byte header of a Kafka v2 record batch living in some ByteBuffer. The produce and
 * fetch paths read and patch batch headers through this flyweight so they never decode records or allocate per
 * batch. All accesses are absolute: the wrapped buffer's position and limit are left alone.
 *
 * <pre>
 * baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 * attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
 * producerId int64 | producerEpoch int16 | baseSequence int32 | recordsCount int32 | records...
 * </pre>
 * The CRC (CRC32C) covers attributes to the end of the batch, so offsets and the leader epoch can be rewritten
 * without recomputing it.
 */
final class BatchHeaderFlyweight {

    static final int BASE_OFFSET_OFFSET = 0;
    static final int LENGTH_OFFSET = 8;
    /** baseOffset + batchLength: the bytes not counted by batchLength. */
    static final int LOG_OVERHEAD = 12;
    static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    static final int MAGIC_OFFSET = 16;
    static final int CRC_OFFSET = 17;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int LAST_OFFSET_DELTA_OFFSET = 23;
    static final int BASE_TIMESTAMP_OFFSET = 27;
    static final int MAX_TIMESTAMP_OFFSET = 35;
    static final int PRODUCER_ID_OFFSET = 43;
    static final int PRODUCER_EPOCH_OFFSET = 51;
    static final int BASE_SEQUENCE_OFFSET = 53;
    static final int RECORDS_COUNT_OFFSET = 57;
    static final int HEADER_SIZE = 61;
    /** Smallest legal batchLength: a header without records. */
    static final int MIN_BATCH_LENGTH = HEADER_SIZE - LOG_OVERHEAD;

    static final byte MAGIC_V2 = 2;
    static final int COMPRESSION_CODEC_MASK = 0x07;
    static final int TIMESTAMP_TYPE_MASK = 0x08;
    static final int TRANSACTIONAL_FLAG_MASK = 0x10;
    static final int CONTROL_FLAG_MASK = 0x20;
    static final int MAX_COMPRESSION_CODEC = 4;

    static final long NO_PRODUCER_ID = -1L;
    static final long NO_TIMESTAMP = -1L;

    private ByteBuffer buffer;
    private int offset;

    /** Points this flyweight at the batch starting at absolute index {@code offset} of {@code buffer}. */
    BatchHeaderFlyweight wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    int offsetInBuffer() {
        return offset;
    }

    long baseOffset() {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET);
    }

    int batchLength() {
        return buffer.getInt(offset + LENGTH_OFFSET);
    }

    /** Whole batch size on disk, including the 12-byte log overhead. Only meaningful if batchLength was checked. */
    int sizeInBytes() {
        return batchLength() + LOG_OVERHEAD;
    }

    int partitionLeaderEpoch() {
        return buffer.getInt(offset + PARTITION_LEADER_EPOCH_OFFSET);
    }

    byte magic() {
        return buffer.get(offset + MAGIC_OFFSET);
    }

    int storedCrc() {
        return buffer.getInt(offset + CRC_OFFSET);
    }

    short attributes() {
        return buffer.getShort(offset + ATTRIBUTES_OFFSET);
    }

    int compressionCodec() {
        return attributes() & COMPRESSION_CODEC_MASK;
    }

    boolean isControl() {
        return (attributes() & CONTROL_FLAG_MASK) != 0;
    }

    boolean isLogAppendTime() {
        return (attributes() & TIMESTAMP_TYPE_MASK) != 0;
    }

    int lastOffsetDelta() {
        return buffer.getInt(offset + LAST_OFFSET_DELTA_OFFSET);
    }

    long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    long baseTimestamp() {
        return buffer.getLong(offset + BASE_TIMESTAMP_OFFSET);
    }

    long maxTimestamp() {
        return buffer.getLong(offset + MAX_TIMESTAMP_OFFSET);
    }

    long producerId() {
        return buffer.getLong(offset + PRODUCER_ID_OFFSET);
    }

    boolean hasProducerId() {
        return producerId() > NO_PRODUCER_ID;
    }

    short producerEpoch() {
        return buffer.getShort(offset + PRODUCER_EPOCH_OFFSET);
    }

    int baseSequence() {
        return buffer.getInt(offset + BASE_SEQUENCE_OFFSET);
    }

    /** Sequence of the last record; sequences wrap from Integer.MAX_VALUE to 0 as in Kafka. */
    int lastSequence() {
        return ProducerStateEntry.addSequence(baseSequence(), lastOffsetDelta());
    }

    int recordsCount() {
        return buffer.getInt(offset + RECORDS_COUNT_OFFSET);
    }

    void setBaseOffset(long baseOffset) {
        buffer.putLong(offset + BASE_OFFSET_OFFSET, baseOffset);
    }

    void setPartitionLeaderEpoch(int epoch) {
        buffer.putInt(offset + PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    void setMaxTimestamp(long timestamp) {
        buffer.putLong(offset + MAX_TIMESTAMP_OFFSET, timestamp);
    }

    void setAttributes(short attributes) {
        buffer.putShort(offset + ATTRIBUTES_OFFSET, attributes);
    }

    void setCrc(int crc) {
        buffer.putInt(offset + CRC_OFFSET, crc);
    }

    /**
     * CRC32C over attributes..end of batch. {@code scratch} must be a duplicate of the wrapped buffer (same content,
     * its own position/limit) so the computation does not disturb the caller's view or allocate.
     */
    int computeCrc(CRC32C crc, ByteBuffer scratch) {
        int start = offset + ATTRIBUTES_OFFSET;
        int end = offset + sizeInBytes();
        crc.reset();
        scratch.limit(end).position(start);
        crc.update(scratch);
        return (int) crc.getValue();
    }
}
