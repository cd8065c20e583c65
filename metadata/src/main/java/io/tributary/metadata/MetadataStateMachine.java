package io.tributary.metadata;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft state machine of the metadata log: it owns the current {@link MetadataImage} and advances it by
 * replaying each committed batch, in log order, on Ratis' apply thread.
 *
 * <p>Applying is deterministic so every replica reaches the same image: a batch whose expected index no longer
 * matches ({@link RecordWriter}) is skipped as STALE, and a batch that does not decode or replay is skipped as
 * REJECTED (logged; it can only come from a bug, since the controller validated it). The new image is published
 * (volatile) and listeners are told before the reply reaches the writer, so a completed write is always visible.
 *
 * <p>Snapshots store the image as records ({@link MetadataSnapshotFile}); on start Ratis loads the latest one
 * through {@link #initialize} and replays the log entries after it.
 */
public final class MetadataStateMachine extends BaseStateMachine {
  private static final Logger log = LoggerFactory.getLogger(MetadataStateMachine.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  /** Orders publication with listener registration so a listener sees every image exactly once. */
  private final Object publishLock = new Object();
  private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
  private volatile MetadataImage image = MetadataImage.EMPTY;
  /** The snapshot file whose image is already published (fast restart), until Ratis loads it; guarded by publishLock. */
  private Path servedSnapshot;

  public MetadataImage image() {
    return image;
  }

  public void addListener(MetadataListener listener) {
    synchronized (publishLock) {
      listeners.add(listener);
      notifyOne(listener, MetadataImage.EMPTY, image);
    }
  }

  public void removeListener(MetadataListener listener) {
    listeners.remove(listener);
  }

  /**
   * Publishes the image of the last clean shutdown before Ratis starts (see {@link MetadataQuorum#start}). Ratis
   * then loads that same snapshot file, which {@link #loadSnapshot} need not read, check or publish again.
   */
  void serveUntilStarted(MetadataImage lastClean, Path snapshotFile) {
    synchronized (publishLock) {
      servedSnapshot = snapshotFile.toAbsolutePath().normalize();
      publish(lastClean);
    }
  }

  /** Publishes the bootstrap records of a new cluster before Ratis starts (see {@link MetadataQuorum#bootstrap}). */
  void serve(MetadataImage first) {
    synchronized (publishLock) {
      publish(first);
    }
  }

  /** The latest snapshot if it holds everything applied so far; asked once the server has stopped. */
  Optional<SingleFileSnapshotInfo> cleanSnapshot() {
    SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
    TermIndex applied = getLastAppliedTermIndex();
    if (latest == null || applied == null || latest.getIndex() != applied.getIndex()) {
      return Optional.empty();
    }
    return Optional.of(latest);
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    loadSnapshot(storage.getLatestSnapshot());
  }

  @Override
  public void reinitialize() throws IOException {
    // Called after a snapshot was installed from the leader (or after a pause): the snapshot is the new truth.
    loadSnapshot(storage.loadLatestSnapshot());
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
    if (snapshot == null) {
      return;
    }
    File file = snapshot.getFile().getPath().toFile();
    synchronized (publishLock) {
      boolean served = servedSnapshot != null && servedSnapshot.equals(file.toPath().toAbsolutePath().normalize());
      servedSnapshot = null;
      if (served) {
        // Read and checked at the fast restart; listeners already have its image.
        setLastAppliedTermIndex(snapshot.getTermIndex());
        return;
      }
    }
    if (!file.exists()) {
      throw new IOException("Snapshot file " + file + " is missing");
    }
    MD5Hash md5 = snapshot.getFile().getFileDigest();
    if (md5 != null) {
      MD5FileUtil.verifySavedMD5(file, md5);
    }
    MetadataImage loaded = MetadataSnapshotFile.read(file.toPath());
    synchronized (publishLock) {
      setLastAppliedTermIndex(snapshot.getTermIndex());
      publish(loaded);
    }
    log.debug("Loaded metadata snapshot {} at {}", file, snapshot.getTermIndex());
  }

  @Override
  public long takeSnapshot() throws IOException {
    MetadataImage snapshotImage;
    TermIndex last;
    synchronized (publishLock) {
      snapshotImage = image;
      last = getLastAppliedTermIndex();
    }
    if (last == null || last.getIndex() < 0) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    Files.createDirectories(file.toPath().getParent());
    MetadataSnapshotFile.write(file.toPath(), snapshotImage);
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    log.debug("Wrote metadata snapshot {} at {}", file, last);
    return last.getIndex();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    ByteBuffer data = entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer();
    byte[] reply;
    synchronized (publishLock) {
      reply = apply(data, entry.getIndex());
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    }
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
  }

  private byte[] apply(ByteBuffer data, long index) {
    MetadataImage current = image;
    MetadataImage next;
    try {
      long expected = MetadataEntry.expectedIndex(data);
      if (expected != MetadataEntry.UNCONDITIONAL && expected != current.lastAppliedIndex()) {
        return MetadataEntry.reply(MetadataEntry.Status.STALE, current.lastAppliedIndex(), null);
      }
      next = current.apply(MetadataEntry.records(data), index);
    } catch (CorruptMetadataException | IllegalStateException e) {
      log.error("Refusing metadata entry at index {}: {}", index, e.getMessage());
      return MetadataEntry.reply(MetadataEntry.Status.REJECTED, current.lastAppliedIndex(), e.getMessage());
    }
    publish(next);
    return MetadataEntry.reply(MetadataEntry.Status.APPLIED, index, null);
  }

  private void publish(MetadataImage next) {
    assert Thread.holdsLock(publishLock);
    MetadataImage previous = image;
    image = next;
    for (MetadataListener l : listeners) {
      notifyOne(l, previous, next);
    }
  }

  private static void notifyOne(MetadataListener listener, MetadataImage previous, MetadataImage current) {
    try {
      listener.onImage(previous, current);
    } catch (RuntimeException e) {
      // A broken listener must not stop the log from being applied (that would wedge every writer).
      log.error("Metadata listener {} failed", listener, e);
    }
  }
}
