package io.tributary.metadata;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the controller sends the records it decided on: Raft in production ({@link MetadataQuorum}), an
 * in-memory image in unit tests.
 *
 * <p>Writes are conditional (optimistic concurrency): a batch is applied only if, at the moment it is applied,
 * the image's {@link MetadataImage#lastAppliedIndex()} still equals {@code expectedLastAppliedIndex}, i.e. if the
 * decision was taken on the latest image. Otherwise nothing is applied and the future fails with
 * {@link StaleImageException}, and the controller decides again. With one controller on one leader this never
 * happens; with several voters it keeps a new leader from acting on an image that misses its predecessor's
 * last batches. The check runs at apply time on every replica, so it is deterministic.
 */
@FunctionalInterface
public interface RecordWriter {
  /**
   * Submits {@code records} as one atomic batch. The future completes with the index the batch was applied at,
   * after the new image is visible to readers, or exceptionally (StaleImageException, NotControllerException,
   * CorruptMetadataException if the batch was refused on replay...).
   */
  CompletableFuture<Long> write(long expectedLastAppliedIndex, List<MetadataRecord> records);
}
