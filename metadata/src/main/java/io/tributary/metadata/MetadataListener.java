package io.tributary.metadata;

/**
 * Observes the metadata image as batches are applied. Called on the apply thread, in log order, so it must be
 * quick and must never wait for a controller future (that future completes only after this call returns).
 */
@FunctionalInterface
public interface MetadataListener {
  void onImage(MetadataImage previous, MetadataImage current);
}
