package io.tributary.storage;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.ByteUtils;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * The produce-path rules that need the records themselves, not just batch headers, applied after
 * {@link LogValidator} and still outside the partition lock:
 * <ul>
 *   <li>a topic whose {@code compression.type} names a codec gets every batch in that codec: a batch using another
 *       one is re-encoded by {@link BatchReencoder};</li>
 *   <li>a compacted topic refuses records without a key, since the cleaner could never decide which of them is
 *       the newest; every such record is named in a {@link RecordValidationException}.</li>
 * </ul>
 * Topics with neither rule never get here ({@link #applies}), so the common path stays header-only. For the others,
 * uncompressed batches are walked in place without allocation; compressed ones are decompressed only when their keys
 * matter or they must be re-encoded.
 */
final class RecordLevelValidator {

    /** A record set that had to be rewritten, and its summary as {@link LogValidator} would report it. */
    record Rewritten(ByteBuffer records, LogValidator.Summary summary) {
    }

    private static final ThreadLocal<BufferSupplier> DECOMPRESSION_BUFFERS =
            ThreadLocal.withInitial(BufferSupplier::create);

    private RecordLevelValidator() {
    }

    /** Whether {@code config} has a rule that needs more than batch headers. */
    static boolean applies(LogConfig config) {
        return config.compression() != TopicCompression.PRODUCER || config.cleanupPolicy().compact();
    }

    /**
     * Checks (and, where the topic's codec demands it, rewrites) a record set that {@link LogValidator} accepted.
     *
     * @param records the validated record set, position..limit, big-endian; never modified
     * @return the rewritten record set, or null when the batches are stored as they arrived
     * @throws RecordValidationException naming every keyless record, for a compacted topic
     * @throws CorruptRecordException    when the records inside a batch do not decode
     * @throws RecordTooLargeException   when a re-encoded batch exceeds max.message.bytes
     */
    static Rewritten apply(ByteBuffer records, LogValidator.Summary summary, LogConfig config,
                           TopicPartition topicPartition, BatchHeaderFlyweight header) {
        CompressionType target = config.compression().targetCodec().orElse(null);
        NullKeys nullKeys = config.cleanupPolicy().compact() ? new NullKeys() : null;
        List<ByteBuffer> parts = null;
        ByteBuffer walker = null;
        int start = records.position();
        int end = records.limit();
        int recordIndex = 0;
        for (int position = start; position < end; ) {
            header.wrap(records, position);
            int size = header.sizeInBytes();
            int count = header.recordsCount();
            int codec = header.compressionCodec();
            if (target != null && codec != target.id) {
                ByteBuffer batch = slice(records, position, size);
                if (parts == null) {
                    parts = new ArrayList<>();
                    if (position > start) {
                        parts.add(records.duplicate().limit(position).position(start));
                    }
                }
                ByteBuffer rebuilt = BatchReencoder.reencode(batch, config.compressionLevels().forCodec(target),
                        recordIndex, nullKeys,
                        DECOMPRESSION_BUFFERS.get());
                if (rebuilt.remaining() > config.maxMessageBytes()) {
                    throw new RecordTooLargeException("Record batch re-encoded as " + target.name + " for "
                            + topicPartition + " is " + rebuilt.remaining() + " bytes, more than max.message.bytes "
                            + config.maxMessageBytes());
                }
                parts.add(rebuilt);
            } else {
                if (nullKeys != null) {
                    if (codec == CompressionType.NONE.id) {
                        walker = walker == null ? records.duplicate() : walker;
                        walkUncompressed(walker, position, position + size, count, recordIndex, nullKeys);
                    } else {
                        walkCompressed(slice(records, position, size), count, recordIndex, nullKeys);
                    }
                }
                if (parts != null) {
                    parts.add(slice(records, position, size));
                }
            }
            recordIndex += count;
            position += size;
        }
        assert recordIndex == summary.recordCount() : "walked " + recordIndex + " of " + summary.recordCount();
        if (nullKeys != null && nullKeys.any()) {
            throw nullKeys.rejection(topicPartition, recordIndex);
        }
        return parts == null ? null : concat(parts, summary, config, topicPartition);
    }

    private static ByteBuffer slice(ByteBuffer records, int position, int size) {
        return records.duplicate().limit(position + size).position(position);
    }

    private static Rewritten concat(List<ByteBuffer> parts, LogValidator.Summary summary, LogConfig config,
                                    TopicPartition topicPartition) {
        long total = 0;
        for (ByteBuffer part : parts) {
            total += part.remaining();
        }
        if (total > config.segmentBytes()) {
            throw new RecordBatchTooLargeException("Record set re-encoded for " + topicPartition + " is " + total
                    + " bytes, more than segment.bytes " + config.segmentBytes());
        }
        ByteBuffer all = ByteBuffer.allocate((int) total);
        for (ByteBuffer part : parts) {
            all.put(part.duplicate());
        }
        all.flip();
        return new Rewritten(all, new LogValidator.Summary(summary.batchCount(), summary.recordCount(), (int) total,
                summary.maxTimestamp()));
    }

    /**
     * Reads the prefix of each record of an uncompressed batch (length, attributes, timestamp delta, offset delta,
     * key length) straight from the buffer and hops to the next record by its length.
     */
    private static void walkUncompressed(ByteBuffer in, int batchStart, int batchEnd, int count, int firstIndex,
                                         IntConsumer nullKeys) {
        in.limit(batchEnd).position(batchStart + BatchHeaderFlyweight.HEADER_SIZE);
        try {
            for (int i = 0; i < count; i++) {
                int length = ByteUtils.readVarint(in);
                if (length < 0 || length > in.remaining()) {
                    throw new CorruptRecordException("Record " + i + " of a batch claims " + length
                            + " bytes but only " + in.remaining() + " are left in the batch");
                }
                int recordEnd = in.position() + length;
                in.limit(recordEnd);
                in.get(); // attributes: unused in v2
                ByteUtils.readVarlong(in); // timestamp delta
                int offsetDelta = ByteUtils.readVarint(in);
                int keyLength = ByteUtils.readVarint(in);
                if (offsetDelta != i) {
                    throw badOffsetDelta(i, offsetDelta);
                }
                if (keyLength < 0) {
                    nullKeys.accept(firstIndex + i);
                }
                in.limit(batchEnd).position(recordEnd);
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptRecordException("Malformed record in an uncompressed batch: " + e);
        }
        if (in.position() != batchEnd) {
            throw new CorruptRecordException("Record batch declares " + count + " records but has "
                    + (batchEnd - in.position()) + " bytes after them");
        }
    }

    /** Decompresses a batch only as far as each record's prefix, skipping keys, values and headers. */
    private static void walkCompressed(ByteBuffer batch, int count, int firstIndex, IntConsumer nullKeys) {
        MutableRecordBatch source = MemoryRecords.readableRecords(batch.slice()).batchIterator().next();
        walkRecords(source, () -> source.skipKeyValueIterator(DECOMPRESSION_BUFFERS.get()), count, firstIndex,
                nullKeys, record -> { });
    }

    /**
     * Walks the records of one batch, checking that they are numbered 0..n-1 and exactly as many as the header
     * declares, telling {@code nullKeys} (if not null) of each record without a key and handing every record to
     * {@code each}. Whatever the codec library or the record parser chokes on is the producer's garbage
     * (CORRUPT_MESSAGE), not a broker fault.
     */
    static void walkRecords(MutableRecordBatch source, Supplier<CloseableIterator<Record>> iterator, int declared,
                            int firstIndex, IntConsumer nullKeys, Consumer<Record> each) {
        int index = 0;
        try (CloseableIterator<Record> records = iterator.get()) {
            while (records.hasNext()) {
                Record record = records.next();
                if (index == declared) {
                    throw new CorruptRecordException("Record batch declares " + declared + " records but holds more");
                }
                long delta = record.offset() - source.baseOffset();
                if (delta != index) {
                    throw badOffsetDelta(index, delta);
                }
                if (nullKeys != null && !record.hasKey()) {
                    nullKeys.accept(firstIndex + index);
                }
                each.accept(record);
                index++;
            }
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptRecordException("Cannot decode the " + source.compressionType().name
                    + " records of a batch: " + e.getMessage(), e);
        }
        if (index != declared) {
            throw new CorruptRecordException("Record batch declares " + declared + " records but holds only "
                    + index);
        }
    }

    /** v2 producers number a batch's records 0..n-1; offsets are assigned from the batch header alone. */
    static InvalidRecordException badOffsetDelta(int index, long delta) {
        return new InvalidRecordException("Record " + index + " of a batch has offset delta " + delta
                + "; the records of a produced batch must be numbered 0, 1, 2, ...");
    }

    /** Collects the record-set indexes of keyless records; one rejection names them all, as Kafka does. */
    private static final class NullKeys implements IntConsumer {
        private final List<Integer> indexes = new ArrayList<>();

        @Override
        public void accept(int index) {
            indexes.add(index);
        }

        boolean any() {
            return !indexes.isEmpty();
        }

        RecordValidationException rejection(TopicPartition topicPartition, int recordCount) {
            String each = "Compacted topic " + topicPartition.topic() + " cannot accept a record without a key";
            List<RecordValidationException.RecordError> errors = new ArrayList<>(indexes.size());
            for (int index : indexes) {
                errors.add(new RecordValidationException.RecordError(index, each));
            }
            return new RecordValidationException(each + ": " + indexes.size() + " of the " + recordCount
                    + " records for " + topicPartition + " have none (first at index " + indexes.get(0) + ")",
                    errors);
        }
    }
}
