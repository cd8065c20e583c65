package io.tributary.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A {@link RecordWriter} without Raft for controller tests: batches are applied to an in-memory image at
 * consecutive indexes, with the same conditional-write rule as the state machine. Every accepted batch is kept
 * so tests can replay the log from scratch. {@link #failNextWrite} injects a write failure.
 */
final class InMemoryMetadataLog implements RecordWriter, Supplier<MetadataImage> {
  private volatile MetadataImage image = MetadataImage.EMPTY;
  private final List<List<MetadataRecord>> batches = new ArrayList<>();
  private long nextIndex = 1;
  private RuntimeException nextFailure;
  private Runnable beforeNextWrite;

  @Override
  public MetadataImage get() {
    return image;
  }

  synchronized List<List<MetadataRecord>> batches() {
    return List.copyOf(batches);
  }

  synchronized void failNextWrite(RuntimeException e) {
    nextFailure = e;
  }

  /** Runs {@code r} just before the next write is checked, e.g. to sneak in a competing write. */
  synchronized void beforeNextWrite(Runnable r) {
    beforeNextWrite = r;
  }

  /** Applies a batch unconditionally, as another writer would. */
  synchronized long append(List<MetadataRecord> records) {
    long index = nextIndex++;
    image = image.apply(records, index);
    batches.add(List.copyOf(records));
    return index;
  }

  @Override
  public CompletableFuture<Long> write(long expectedLastAppliedIndex, List<MetadataRecord> records) {
    Runnable hook;
    synchronized (this) {
      hook = beforeNextWrite;
      beforeNextWrite = null;
    }
    if (hook != null) {
      hook.run();
    }
    synchronized (this) {
      if (nextFailure != null) {
        RuntimeException e = nextFailure;
        nextFailure = null;
        return CompletableFuture.failedFuture(e);
      }
      if (expectedLastAppliedIndex != image.lastAppliedIndex()) {
        return CompletableFuture.failedFuture(new StaleImageException(expectedLastAppliedIndex,
            image.lastAppliedIndex()));
      }
      // Round trip through the codec, as Raft would.
      return CompletableFuture.completedFuture(append(MetadataRecordSerde.decode(MetadataRecordSerde.encode(records))));
    }
  }

  /** The image obtained by replaying every accepted batch from EMPTY. */
  synchronized MetadataImage replayFromScratch() {
    MetadataImage img = MetadataImage.EMPTY;
    long index = 1;
    for (List<MetadataRecord> batch : batches) {
      img = img.apply(batch, index++);
    }
    return img;
  }
}
