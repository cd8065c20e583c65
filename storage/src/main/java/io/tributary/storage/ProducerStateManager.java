package io.tributary.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent-producer state of one partition: per producer id, the epoch and the last five batches, used to drop
 * retried batches and to reject sequence gaps and zombie epochs. The state is a function of the log, so it can
 * always be rebuilt by replaying batch headers; snapshots ({@code <offset>.snapshot}, CRC-protected) taken on roll
 * and close just make that replay short. A snapshot named N reflects exactly the batches below offset N.
 *
 * <p>Mutated only under the partition lock.
 */
final class ProducerStateManager {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);
    private static final short SNAPSHOT_VERSION = 1;

    private final Path dir;
    private final Map<Long, ProducerStateEntry> producers = new ConcurrentHashMap<>();

    ProducerStateManager(Path dir) {
        this.dir = dir;
    }

    ProducerStateEntry entry(long producerId) {
        return producers.get(producerId);
    }

    int producerCount() {
        return producers.size();
    }

    /**
     * Validates one client batch against the committed state plus earlier batches of the same request
     * ({@code pending}). Returns the original batch if this one is a retry of it, else null after recording the
     * batch (written at {@code firstOffset..lastOffset}) in {@code pending}.
     */
    ProducerStateEntry.BatchMetadata validateAndStage(BatchHeaderFlyweight batch, long firstOffset, long lastOffset,
                                                      long timestamp, Map<Long, ProducerStateEntry> pending) {
        long producerId = batch.producerId();
        short epoch = batch.producerEpoch();
        int firstSeq = batch.baseSequence();
        int lastSeq = batch.lastSequence();
        ProducerStateEntry committed = producers.get(producerId);
        if (committed != null) {
            ProducerStateEntry.BatchMetadata duplicate = committed.findDuplicate(epoch, firstSeq, lastSeq);
            if (duplicate != null) {
                return duplicate;
            }
        }
        ProducerStateEntry current = pending.getOrDefault(producerId, committed);
        if (current == null || (current.isEmpty() && epoch == current.epoch)) {
            if (firstSeq != 0) {
                throw new OutOfOrderSequenceException("Unknown producer " + producerId + " must start at sequence 0,"
                        + " got " + firstSeq);
            }
        } else if (epoch < current.epoch) {
            throw new InvalidProducerEpochException("Producer " + producerId + " epoch " + epoch
                    + " is older than the current epoch " + current.epoch);
        } else if (epoch > current.epoch) {
            if (firstSeq != 0) {
                throw new OutOfOrderSequenceException("Producer " + producerId + " starts epoch " + epoch
                        + " at sequence " + firstSeq + ", expected 0");
            }
        } else if (!ProducerStateEntry.inSequence(current.lastSeq(), firstSeq)) {
            throw new OutOfOrderSequenceException("Out of order sequence for producer " + producerId + " epoch "
                    + epoch + ": " + firstSeq + " after " + current.lastSeq());
        }
        ProducerStateEntry base = current == null ? ProducerStateEntry.empty(producerId, epoch) : current;
        pending.put(producerId, base.withBatch(epoch,
                new ProducerStateEntry.BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, timestamp)));
        return null;
    }

    /** Publishes what {@link #validateAndStage} staged, once the batches are in the log. */
    void commit(Map<Long, ProducerStateEntry> pending) {
        producers.putAll(pending);
    }

    /** Applies a batch already in the log (recovery, follower appends) without validation. */
    void replay(BatchHeaderFlyweight batch) {
        if (!batch.hasProducerId() || batch.isControl()) {
            return;
        }
        long producerId = batch.producerId();
        short epoch = batch.producerEpoch();
        ProducerStateEntry current = producers.get(producerId);
        ProducerStateEntry base = current == null ? ProducerStateEntry.empty(producerId, epoch) : current;
        producers.put(producerId, base.withBatch(epoch, new ProducerStateEntry.BatchMetadata(batch.baseSequence(),
                batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp())));
    }

    void clear() {
        producers.clear();
    }

    /** Writes the current state as {@code <offset>.snapshot}; {@code offset} is the log end it reflects. */
    void takeSnapshot(long offset) throws IOException {
        int size = 2 + 4 + 4;
        for (ProducerStateEntry entry : producers.values()) {
            size += 8 + 2 + 4 + entry.batches().size() * (4 + 4 + 8 + 8 + 8);
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putShort(SNAPSHOT_VERSION).putInt(0).putInt(producers.size());
        for (ProducerStateEntry entry : producers.values()) {
            buffer.putLong(entry.producerId).putShort(entry.epoch).putInt(entry.batches().size());
            for (ProducerStateEntry.BatchMetadata batch : entry.batches()) {
                buffer.putInt(batch.firstSeq()).putInt(batch.lastSeq()).putLong(batch.firstOffset())
                        .putLong(batch.lastOffset()).putLong(batch.timestamp());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 6, size - 6);
        buffer.putInt(2, (int) crc.getValue());
        Checkpoints.writeAtomically(LogFiles.snapshotFile(dir, offset), buffer.array());
    }

    /**
     * Replaces the state with the newest readable snapshot at or below {@code maxOffset} and returns its offset,
     * from which the caller must replay the log; returns -1 (state cleared) if there is none. Snapshots above
     * {@code maxOffset} describe a log that no longer exists and are deleted; corrupt ones are deleted too.
     */
    long loadLatestSnapshot(long maxOffset) throws IOException {
        producers.clear();
        TreeMap<Long, Path> snapshots = listSnapshots();
        for (Map.Entry<Long, Path> e : snapshots.tailMap(maxOffset, false).entrySet()) {
            Files.deleteIfExists(e.getValue());
        }
        for (Map.Entry<Long, Path> e : snapshots.headMap(maxOffset, true).descendingMap().entrySet()) {
            Map<Long, ProducerStateEntry> loaded = read(e.getValue());
            if (loaded != null) {
                producers.putAll(loaded);
                return e.getKey();
            }
            LOG.warn("Deleting corrupt producer snapshot {}", e.getValue());
            Files.deleteIfExists(e.getValue());
        }
        return -1;
    }

    /** Deletes snapshots below {@code offset} (their segments are gone). */
    void deleteSnapshotsBelow(long offset) throws IOException {
        for (Path path : listSnapshots().headMap(offset, false).values()) {
            Files.deleteIfExists(path);
        }
    }

    void deleteAllSnapshots() throws IOException {
        for (Path path : listSnapshots().values()) {
            Files.deleteIfExists(path);
        }
    }

    List<Long> snapshotOffsets() throws IOException {
        return new ArrayList<>(listSnapshots().keySet());
    }

    private TreeMap<Long, Path> listSnapshots() throws IOException {
        TreeMap<Long, Path> snapshots = new TreeMap<>();
        // No glob: offsetOf checks the suffix, and a glob compiles a regex for every partition at load.
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path path : stream) {
                long offset = LogFiles.offsetOf(path.getFileName().toString(), LogFiles.SNAPSHOT_SUFFIX);
                if (offset >= 0) {
                    snapshots.put(offset, path);
                }
            }
        }
        return snapshots;
    }

    /** Parses a snapshot; null if it is truncated, has a bad CRC or an unknown version. */
    private static Map<Long, ProducerStateEntry> read(Path path) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(path));
            if (buffer.remaining() < 10 || buffer.getShort(0) != SNAPSHOT_VERSION) {
                return null;
            }
            CRC32C crc = new CRC32C();
            crc.update(buffer.array(), 6, buffer.remaining() - 6);
            if ((int) crc.getValue() != buffer.getInt(2)) {
                return null;
            }
            buffer.position(6);
            int count = buffer.getInt();
            Map<Long, ProducerStateEntry> entries = new HashMap<>();
            for (int i = 0; i < count; i++) {
                long producerId = buffer.getLong();
                short epoch = buffer.getShort();
                int batchCount = buffer.getInt();
                if (batchCount < 0 || batchCount > ProducerStateEntry.NUM_BATCHES_TO_RETAIN) {
                    return null;
                }
                ArrayDeque<ProducerStateEntry.BatchMetadata> batches = new ArrayDeque<>();
                for (int b = 0; b < batchCount; b++) {
                    batches.add(new ProducerStateEntry.BatchMetadata(buffer.getInt(), buffer.getInt(),
                            buffer.getLong(), buffer.getLong(), buffer.getLong()));
                }
                entries.put(producerId, new ProducerStateEntry(producerId, epoch, batches));
            }
            return buffer.hasRemaining() ? null : entries;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
