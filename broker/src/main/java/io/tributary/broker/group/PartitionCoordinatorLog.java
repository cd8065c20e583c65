package io.tributary.broker.group;

import io.tributary.broker.Partition;
import io.tributary.broker.fetch.FetchPurgatory;
import io.tributary.storage.FetchSlice;
import io.tributary.storage.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;

/**
 * A coordinator log over one {@code __consumer_offsets} partition this broker leads. Appends go through the same
 * validation as produced batches and move the high watermark at once (this node is the whole ISR), so a consumer
 * of the internal topic sees the records too. Loading reads whole batches from the log start to the log end.
 */
final class PartitionCoordinatorLog implements CoordinatorLog {
    private final Supplier<Partition> partitionSupplier;
    private final FetchPurgatory purgatory;
    private final Time time;
    private final int loadBufferBytes;
    /** Appends are made under the shard's lock, one at a time, so one buffer serves them all. */
    private ByteBuffer appendBuffer = ByteBuffer.allocateDirect(4096);

    /** @param partition the partition as the partition manager has it now; null if this node does not lead it */
    PartitionCoordinatorLog(Supplier<Partition> partition, FetchPurgatory purgatory, Time time, int loadBufferBytes) {
        this.partitionSupplier = partition;
        this.purgatory = purgatory;
        this.time = time;
        this.loadBufferBytes = loadBufferBytes;
    }

    @Override
    public void append(List<CoordinatorRecord> records) {
        Partition partition = partition();
        MemoryRecords batch = CoordinatorBatches.encode(records, time.milliseconds());
        ByteBuffer buffer = direct(batch.buffer());
        int size = buffer.remaining();
        partition.appendAsLeader(buffer);
        if (purgatory != null) {
            purgatory.onAppend(partition.topicPartition(), size);
        }
    }

    /**
     * The batch, copied into a direct buffer. Produced batches reach the log in direct buffers (Netty's), and the
     * JIT compiles the append path for that one buffer class; a heap buffer from here, after every consumer's offset
     * commit, failed those type checks and had C2 recompile the append path (PartitionLog.appendAsLeader,
     * LogValidator.validate, LogSegment.writeFully: ~1 s of compiler CPU) in the middle of the next produce.
     */
    private ByteBuffer direct(ByteBuffer heap) {
        int size = heap.remaining();
        if (appendBuffer.capacity() < size) {
            appendBuffer = ByteBuffer.allocateDirect(Integer.highestOneBit(size - 1) << 1);
        }
        appendBuffer.clear();
        appendBuffer.put(heap.duplicate()).flip();
        return appendBuffer;
    }

    @Override
    public void load(Consumer<CoordinatorRecord> replay) {
        Partition partition = partition();
        PartitionLog log = partition.log();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
        // Sized by what there is to read, up to offsets.load.buffer.size: a 5 MB buffer for each of the 50 mostly
        // empty partitions was 250 MB of garbage at every start, which also grew the heap for good.
        ByteBuffer buffer = null;
        while (offset < end) {
            FetchSlice slice = log.read(offset, loadBufferBytes, true, end);
            if (slice.isEmpty()) {
                break;
            }
            if (buffer == null || slice.sizeInBytes() > buffer.capacity()) {
                buffer = ByteBuffer.allocate(slice.sizeInBytes());
            }
            buffer.clear().limit(slice.sizeInBytes());
            readFully(partition, slice, buffer);
            buffer.flip();
            long next = offset;
            for (RecordBatch batch : MemoryRecords.readableRecords(buffer).batches()) {
                next = batch.nextOffset();
            }
            if (next <= offset) {
                throw new CorruptRecordException("no progress loading " + partition.topicPartition() + " at offset " + offset);
            }
            CoordinatorBatches.decode(MemoryRecords.readableRecords(buffer), replay);
            offset = next;
        }
    }

    private Partition partition() {
        Partition partition = partitionSupplier.get();
        if (partition == null) {
            throw new NotLeaderOrFollowerException("this broker no longer leads the coordinator partition");
        }
        return partition;
    }

    private static void readFully(Partition partition, FetchSlice slice, ByteBuffer buffer) {
        long position = slice.position();
        try {
            while (buffer.hasRemaining()) {
                int n = slice.channel().read(buffer, position);
                if (n < 0) {
                    throw new CorruptRecordException("unexpected end of segment reading " + partition.topicPartition());
                }
                position += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + partition.topicPartition(), e);
        }
    }
}
