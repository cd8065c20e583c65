package io.tributary.storage;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;

/**
 * Checks a producer's record set before anything is written: framing, magic, CRC, sizes, record counts, control
 * flags and CreateTime bounds. It only reads batch headers (plus one CRC pass per batch), never decompresses, and
 * runs outside the partition lock so concurrent producers to one partition validate in parallel.
 */
final class LogValidator {

    /** What the append path needs to know about a validated record set. */
    record Summary(int batchCount, int recordCount, int sizeInBytes, long maxTimestamp) {
    }

    /** Smallest v0 message: crc, magic, attributes, key length, value length. */
    private static final int LEGACY_MESSAGE_MIN_BYTES = 14;

    private LogValidator() {
    }

    /**
     * Validates {@code records} from its position to its limit (which must be big-endian).
     *
     * @param scratch a duplicate of {@code records} used for CRC computation
     */
    static Summary validate(ByteBuffer records, LogConfig config, long nowMs, BatchHeaderFlyweight header,
                            CRC32C crc, ByteBuffer scratch) {
        int start = records.position();
        int end = records.limit();
        int total = end - start;
        if (total == 0) {
            throw new InvalidRecordException("Produce request holds no record batch");
        }
        if (total > config.segmentBytes()) {
            throw new RecordBatchTooLargeException("Record set of " + total + " bytes exceeds segment.bytes "
                    + config.segmentBytes());
        }
        int batches = 0;
        int recordCount = 0;
        long maxTimestamp = BatchHeaderFlyweight.NO_TIMESTAMP;
        int position = start;
        while (position < end) {
            int remaining = end - position;
            if (remaining <= BatchHeaderFlyweight.MAGIC_OFFSET) {
                throw new CorruptRecordException("Record set ends with a partial batch header (" + remaining
                        + " bytes)");
            }
            header.wrap(records, position);
            byte magic = header.magic();
            if (magic != BatchHeaderFlyweight.MAGIC_V2) {
                // A legacy (v0/v1) message set frames its messages the same way; anything else is garbage.
                if ((magic == 0 || magic == 1) && header.batchLength() >= LEGACY_MESSAGE_MIN_BYTES) {
                    throw new UnsupportedForMessageFormatException("Record batch magic " + magic
                            + " is not supported; only v2 batches are accepted");
                }
                throw new CorruptRecordException("Invalid record batch magic " + magic);
            }
            if (remaining < BatchHeaderFlyweight.HEADER_SIZE) {
                throw new CorruptRecordException("Record set ends with a partial batch header (" + remaining
                        + " bytes)");
            }
            int batchLength = header.batchLength();
            if (batchLength < BatchHeaderFlyweight.MIN_BATCH_LENGTH || batchLength > remaining - BatchHeaderFlyweight.LOG_OVERHEAD) {
                throw new CorruptRecordException("Batch length " + batchLength + " is inconsistent with the "
                        + remaining + " bytes left in the record set");
            }
            int size = batchLength + BatchHeaderFlyweight.LOG_OVERHEAD;
            if (size > config.maxMessageBytes()) {
                throw new RecordTooLargeException("Record batch of " + size + " bytes exceeds max.message.bytes "
                        + config.maxMessageBytes());
            }
            if (header.computeCrc(crc, scratch) != header.storedCrc()) {
                throw new CorruptRecordException("Record batch CRC mismatch at byte " + (position - start));
            }
            int count = header.recordsCount();
            if (count < 1 || header.lastOffsetDelta() != count - 1) {
                throw new InvalidRecordException("Record batch has " + count + " records but lastOffsetDelta "
                        + header.lastOffsetDelta());
            }
            if (header.isControl()) {
                throw new InvalidRecordException("Clients may not produce control batches");
            }
            if (header.compressionCodec() > BatchHeaderFlyweight.MAX_COMPRESSION_CODEC) {
                throw new InvalidRecordException("Unknown compression codec " + header.compressionCodec());
            }
            if (config.timestampType() == TimestampType.CREATE_TIME) {
                checkTimestamp(header.baseTimestamp(), config, nowMs);
                checkTimestamp(header.maxTimestamp(), config, nowMs);
            }
            maxTimestamp = Math.max(maxTimestamp, header.maxTimestamp());
            recordCount += count;
            batches++;
            position += size;
        }
        return new Summary(batches, recordCount, total, maxTimestamp);
    }

    private static void checkTimestamp(long timestamp, LogConfig config, long nowMs) {
        if (timestamp == BatchHeaderFlyweight.NO_TIMESTAMP) {
            return;
        }
        // Differences instead of now±bound: the bounds default to Long.MAX_VALUE and must not overflow.
        if (timestamp < nowMs && nowMs - timestamp > config.timestampBeforeMaxMs()) {
            throw new InvalidTimestampException("Timestamp " + timestamp + " is more than "
                    + config.timestampBeforeMaxMs() + " ms before the broker time " + nowMs);
        }
        if (timestamp > nowMs && timestamp - nowMs > config.timestampAfterMaxMs()) {
            throw new InvalidTimestampException("Timestamp " + timestamp + " is more than "
                    + config.timestampAfterMaxMs() + " ms after the broker time " + nowMs);
        }
    }
}
