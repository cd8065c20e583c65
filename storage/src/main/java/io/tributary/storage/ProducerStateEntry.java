package io.tributary.storage;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the log remembers about one idempotent producer: its epoch and the last {@value #NUM_BATCHES_TO_RETAIN}
 * batches it wrote, which is what lets a retried batch be recognised as a duplicate (Kafka's producers keep at
 * most five requests in flight, so five is enough). Immutable-by-convention once published in the
 * {@link ProducerStateManager}: updates build a copy, so a validation that fails half way leaves no trace.
 */
final class ProducerStateEntry {

    static final int NUM_BATCHES_TO_RETAIN = 5;

    /** One written batch: its sequence range, offset range and max timestamp. */
    record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
    }

    final long producerId;
    final short epoch;
    private final ArrayDeque<BatchMetadata> batches;

    ProducerStateEntry(long producerId, short epoch, Deque<BatchMetadata> batches) {
        this.producerId = producerId;
        this.epoch = epoch;
        this.batches = new ArrayDeque<>(batches);
    }

    static ProducerStateEntry empty(long producerId, short epoch) {
        return new ProducerStateEntry(producerId, epoch, new ArrayDeque<>());
    }

    Deque<BatchMetadata> batches() {
        return batches;
    }

    boolean isEmpty() {
        return batches.isEmpty();
    }

    /** Sequence of the last record written, or -1 if none is known. */
    int lastSeq() {
        return batches.isEmpty() ? -1 : batches.peekLast().lastSeq;
    }

    long lastOffset() {
        return batches.isEmpty() ? -1 : batches.peekLast().lastOffset;
    }

    /** The retained batch with exactly this epoch and sequence range, if any (a retry of an earlier write). */
    BatchMetadata findDuplicate(short batchEpoch, int firstSeq, int lastSeq) {
        if (batchEpoch != epoch) {
            return null;
        }
        for (BatchMetadata batch : batches) {
            if (batch.firstSeq == firstSeq && batch.lastSeq == lastSeq) {
                return batch;
            }
        }
        return null;
    }

    /** A copy with one more batch (and the given epoch; a new epoch forgets the old epoch's batches). */
    ProducerStateEntry withBatch(short batchEpoch, BatchMetadata batch) {
        ProducerStateEntry next = batchEpoch == epoch ? new ProducerStateEntry(producerId, epoch, batches)
                : empty(producerId, batchEpoch);
        next.batches.addLast(batch);
        while (next.batches.size() > NUM_BATCHES_TO_RETAIN) {
            next.batches.removeFirst();
        }
        return next;
    }

    /** Sequence {@code delta} records after {@code seq}, wrapping from Integer.MAX_VALUE to 0 as Kafka does. */
    static int addSequence(int seq, int delta) {
        if (seq > Integer.MAX_VALUE - delta) {
            return delta - (Integer.MAX_VALUE - seq) - 1;
        }
        return seq + delta;
    }

    /** True if {@code nextSeq} directly follows {@code lastSeq} (with wrap-around). */
    static boolean inSequence(int lastSeq, int nextSeq) {
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }
}
