package io.tributary.metadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.utils.Time;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership in the metadata Raft group: the Ratis server, the {@link MetadataStateMachine} holding
 * the applied image, and the {@link QuorumController} that writes to it.
 *
 * <p>Today the group has a single voter, so this node is always the leader and the controller. The group is
 * nevertheless a real Raft group (durable log under {@code raftDir}, snapshots, a fixed group id), so moving
 * to three or five voters is a matter of listing them: the controller then acts on the leader, and every node
 * serves reads from its applied image.
 */
public final class MetadataQuorum implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetadataQuorum.class);

  /** Every Tributary cluster uses the same group id; the cluster id lives in the image instead. */
  static final RaftGroupId GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("tributary-metadata".getBytes(StandardCharsets.UTF_8)));
  static final long SNAPSHOT_THRESHOLD_ENTRIES = 10_000;
  private static final long START_TIMEOUT_MS = 60_000;
  /** About a century: in nanoseconds still far from overflowing when Ratis compares it with a measured pause. */
  private static final TimeDuration NEVER = TimeDuration.valueOf(36_500, TimeUnit.DAYS);

  private final int nodeId;
  /** Completes with the running server once it leads (or follows a known leader) and has applied the log. */
  private final CompletableFuture<RaftServer> ready = new CompletableFuture<>();
  private final Path raftDir;
  private final RaftPeerId peerId;
  private final MetadataStateMachine stateMachine;
  private final QuorumController controller;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private volatile boolean fastRestart;
  /** A brand-new single voter whose Raft has not started, so it may still {@link #bootstrap} (guarded by this). */
  private boolean awaitingBootstrap;
  private volatile boolean bootstrapped;
  /** Records to commit as soon as Ratis leads, before any other write; null if none (guarded by this). */
  private MetadataImage bootstrapImage;
  /** After a fast restart or on a new cluster: the thread that starts Ratis, until {@link #startRaftInBackground()}. */
  private Thread deferredStart;

  private MetadataQuorum(int nodeId, Path raftDir, RaftPeerId peerId, MetadataStateMachine stateMachine,
                         ControllerSettings settings) {
    this.nodeId = nodeId;
    this.raftDir = raftDir;
    this.peerId = peerId;
    this.stateMachine = stateMachine;
    this.controller = new QuorumController(stateMachine::image, this::write, settings, new SecureRandom());
  }

  /** {@link #start(int, Path, String, Time, ControllerSettings)} with {@link ControllerSettings#defaults()}. */
  public static MetadataQuorum start(int nodeId, Path raftDir, String voters, Time time) {
    return start(nodeId, raftDir, voters, time, ControllerSettings.defaults());
  }

  /**
   * Starts (or restarts) the Raft server for this node and blocks until its state machine has replayed the
   * snapshot and the committed log and a leader is known (for a single voter: until this node leads).
   *
   * <p>One exception makes a restart fast: a single voter that shut down cleanly left a marker saying its last
   * snapshot holds everything it ever applied ({@link CleanShutdownMarker}). Nobody else can have changed the
   * metadata since, so that snapshot is loaded here and served at once; Ratis starts on another thread when the
   * caller says so ({@link #startRaftInBackground()}). Writes wait for it ({@link #write}); {@link #awaitReady()}
   * waits too.
   *
   * <p>A brand-new single voter (no Raft log, no leftover bootstrap) does not wait for Ratis either: the caller
   * may hand it its first records with {@link #bootstrap}, which are served at once and committed first.
   *
   * @param raftDir holds the Raft log and snapshots; created if missing
   * @param voters  "id@host:port,..."; must contain {@code nodeId}
   */
  public static MetadataQuorum start(int nodeId, Path raftDir, String voters, Time time, ControllerSettings settings) {
    long startMs = time.milliseconds();
    QuorumVoters quorum = QuorumVoters.parse(voters);
    QuorumVoters.Voter self = quorum.voter(nodeId);
    boolean singleVoter = quorum.voters().size() == 1;
    RaftPeerId peerId = RaftPeerId.valueOf(Integer.toString(nodeId));
    List<RaftPeer> peers = quorum.voters().stream().map(v -> RaftPeer.newBuilder()
        .setId(Integer.toString(v.id())).setAddress(v.address()).build()).toList();
    RaftGroup group = RaftGroup.valueOf(GROUP_ID, peers);
    MetadataStateMachine stateMachine = new MetadataStateMachine();
    try {
      Files.createDirectories(raftDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the metadata directory " + raftDir, e);
    }
    MetadataQuorum q = new MetadataQuorum(nodeId, raftDir, peerId, stateMachine, settings);
    // The marker is consumed (deleted) whether or not it is used: once Ratis runs, new entries may follow it.
    CleanShutdownMarker.LastClean lastClean = CleanShutdownMarker.consume(raftDir, groupDir(raftDir));
    // A crash after serving bootstrap records but before Raft committed them: commit them now (unless they were).
    q.bootstrapImage = BootstrapFile.read(raftDir);
    Runnable startRatis = () -> q.startRatis(group, properties(raftDir, self, singleVoter), time,
        startMs + START_TIMEOUT_MS);
    if (singleVoter && lastClean != null) {
      q.fastRestart = true;
      stateMachine.serveUntilStarted(lastClean.image(), lastClean.snapshot());
      q.deferStart(startRatis, time, startMs);
      log.info("Serving the metadata image of the last clean shutdown (index {}, {} topic(s)) while the quorum "
          + "starts", lastClean.image().lastAppliedIndex(), lastClean.image().topicsByName().size());
      return q;
    }
    if (singleVoter && q.bootstrapImage == null && !Files.exists(groupDir(raftDir))) {
      // A brand-new cluster (no Raft log, nothing left by an earlier bootstrap).
      q.awaitingBootstrap = true;
      q.deferStart(startRatis, time, startMs);
      log.info("New metadata log in {}; the quorum starts once this node's first records are known", raftDir);
      return q;
    }
    startRatis.run();
    try {
      q.awaitReady();
    } catch (RuntimeException e) {
      q.controller.close();
      throw e;
    }
    log.info("Metadata quorum ready on node {} in {} ms (image at index {}, {} topic(s))", nodeId,
        time.milliseconds() - startMs, q.image().lastAppliedIndex(), q.image().topicsByName().size());
    return q;
  }

  private void deferStart(Runnable startRatis, Time time, long startMs) {
    Thread starter = new Thread(() -> {
      startRatis.run();
      ready.thenRun(() -> log.info("Metadata quorum ready on node {} in {} ms, in the background (image at "
          + "index {})", nodeId, time.milliseconds() - startMs, image().lastAppliedIndex()));
    }, "metadata-quorum-start");
    starter.setDaemon(true);
    deferredStart = starter;
  }

  /**
   * Gives a brand-new single voter its first records (the cluster id, this node's registration): they are written
   * durably beside the Raft log ({@link BootstrapFile}), served at once, and committed as the first Raft entry
   * before any other write. The caller then starts Raft with {@link #startRaftInBackground()}.
   *
   * @return false if this is not a new cluster or Raft is already starting; the caller then writes the records
   *     through the controller as usual
   */
  public synchronized boolean bootstrap(List<MetadataRecord> records) {
    if (!awaitingBootstrap) {
      return false;
    }
    MetadataImage first = MetadataImage.EMPTY.apply(records, MetadataImage.EMPTY.lastAppliedIndex());
    BootstrapFile.write(raftDir, first);
    awaitingBootstrap = false;
    bootstrapImage = first;
    bootstrapped = true;
    stateMachine.serve(first);
    log.info("Serving the bootstrap metadata of a new cluster ({}) while the quorum starts", first.clusterId());
    return true;
  }

  /** True while this is a new cluster that {@link #bootstrap} would accept. */
  public synchronized boolean bootstrapPending() {
    return awaitingBootstrap;
  }

  /** True if this start created a new cluster whose first records were served before Raft was running. */
  public boolean bootstrapped() {
    return bootstrapped;
  }

  /** Commits the bootstrap records unless the log already has them; before {@link #ready} completes. */
  private void commitBootstrap(RaftServer server, Time time, long deadlineMs) throws IOException {
    MetadataImage first;
    synchronized (this) {
      first = bootstrapImage;
    }
    if (first == null) {
      return;
    }
    // Until Raft applies its first entry the image is the one served from these records, not the log's.
    MetadataImage applied = stateMachine.image();
    String committed = applied.lastAppliedIndex() == MetadataImage.EMPTY.lastAppliedIndex() ? null : applied.clusterId();
    if (committed == null) {
      long waitMs = Math.max(1, deadlineMs - time.milliseconds());
      try {
        submit(server, request(MetadataEntry.encode(MetadataEntry.UNCONDITIONAL, first.toRecords())),
            MetadataEntry.UNCONDITIONAL).get(waitMs, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new org.apache.kafka.common.errors.InterruptException("Interrupted while writing the bootstrap metadata");
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IOException("Cannot commit the bootstrap metadata", e.getCause() != null ? e.getCause() : e);
      }
    } else if (!committed.equals(first.clusterId())) {
      log.warn("Bootstrap metadata for cluster {} found, but the log belongs to cluster {}; ignoring it",
          first.clusterId(), committed);
    }
    BootstrapFile.delete(raftDir);
  }

  private static Path groupDir(Path raftDir) {
    return raftDir.resolve(GROUP_ID.getUuid().toString());
  }

  /** Builds and starts the Ratis server and completes {@link #ready}, or completes it exceptionally. */
  private void startRatis(RaftGroup group, RaftProperties props, Time time, long deadlineMs) {
    RaftServer server = null;
    try {
      boolean formatted = Files.isDirectory(groupDir(raftDir));
      RatisMetrics.keepOutOfJmx();
      server = RaftServer.newBuilder()
          .setServerId(peerId)
          .setGroup(group)
          .setStateMachine(stateMachine)
          .setProperties(props)
          .setOption(formatted ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
          .build();
      server.start();
      awaitLeaderAndLog(server, time, deadlineMs);
      commitBootstrap(server, time, deadlineMs);
      ready.complete(server);
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        try {
          server.close();
        } catch (IOException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      RuntimeException failure = e instanceof IOException io
          ? new UncheckedIOException("Cannot start the metadata quorum in " + raftDir, io) : (RuntimeException) e;
      log.error("The metadata quorum on node {} did not start", nodeId, failure);
      ready.completeExceptionally(failure);
    }
  }

  /**
   * Blocks until Raft is running with a known leader and the local image has caught up with the committed log.
   * Returns at once if that is already so.
   */
  public void awaitReady() {
    startRaftInBackground();
    try {
      ready.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /**
   * After a fast restart, starts Ratis on its own thread; otherwise (or when called again) does nothing. The
   * caller picks the moment: a broker does it once it serves, so that Ratis' start (class loading, thread pools,
   * its Netty server: about half a second of CPU) does not compete for the cores with the broker's own start.
   * Writes queue until Ratis runs.
   */
  public synchronized void startRaftInBackground() {
    awaitingBootstrap = false;
    if (deferredStart != null) {
      deferredStart.start();
      deferredStart = null;
    }
  }

  /** True if this start served the image of the last clean shutdown before Raft was running. */
  public boolean fastRestart() {
    return fastRestart;
  }

  /**
   * Completes when Raft is running (at once, unless this was a fast restart), or exceptionally if it could not
   * start; a broker that is already serving the last image must then stop rather than run without a quorum.
   */
  public CompletableFuture<Void> started() {
    return ready.thenApply(server -> null);
  }

  /** True once {@link #awaitReady()} would return without waiting (or throw). */
  public boolean isStarted() {
    return ready.isDone();
  }

  private static RaftProperties properties(Path raftDir, QuorumVoters.Voter self, boolean singleVoter) {
    RaftProperties props = new RaftProperties();
    RaftConfigKeys.Rpc.setType(props, SupportedRpcType.NETTY);
    NettyConfigKeys.Server.setHost(props, self.host());
    NettyConfigKeys.Server.setPort(props, self.port());
    RaftServerConfigKeys.setStorageDir(props, List.of(raftDir.toFile()));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, SNAPSHOT_THRESHOLD_ENTRIES);
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, 2);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
    // Every snapshot (Ratis also takes one at each shutdown) drops the closed segments it covers. Ratis' default
    // waits for 1024 such entries, but each restart closes a segment of a handful of entries, and the next start
    // reads every segment left behind: a broker restarted often started slower each time.
    RaftServerConfigKeys.Log.setPurgeGap(props, 1);
    // Ratis closes its server for good once its JVM pause monitor sees a pause longer than this (60 s by default):
    // a suspended VM or a stopped process would come back with no metadata quorum, every metadata write failing
    // until restarted. A node that resumes after a pause rejoins like any other, so never close for that.
    RaftServerConfigKeys.setCloseThreshold(props, NEVER);
    // Metadata entries are small; keep the preallocated segment small too instead of Ratis' 4 MB.
    RaftServerConfigKeys.Log.setPreallocatedSize(props, SizeInBytes.valueOf("256KB"));
    RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf("8MB"));
    if (singleVoter) {
      // Nobody else can win or lose an election: skip pre-vote and call the election almost at once instead of
      // waiting out the usual randomized timeout that exists only to avoid split votes.
      RaftServerConfigKeys.LeaderElection.setPreVote(props, false);
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(props, TimeDuration.valueOf(1, TimeUnit.MILLISECONDS));
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(props, TimeDuration.valueOf(2, TimeUnit.MILLISECONDS));
      // After a pause longer than this (10 s by default) a leader steps down, in case the others elected a new one
      // meanwhile. A single voter cannot have been replaced: stepping down would only fail the writes in flight,
      // though they are in its log and commit once it leads again, so a client's retry of its own CreateTopics got
      // TOPIC_ALREADY_EXISTS. (Ratis also uses this wait after losing a majority's heartbeats, which one voter
      // cannot.)
      RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(props, NEVER);
    }
    return props;
  }

  private void awaitLeaderAndLog(RaftServer server, Time time, long deadlineMs) {
    while (true) {
      if (isReady(server)) {
        return;
      }
      if (time.milliseconds() > deadlineMs) {
        throw new TimeoutException("The metadata quorum on node " + nodeId + " did not become ready within "
            + START_TIMEOUT_MS + " ms");
      }
      LockSupport.parkNanos(200_000);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new org.apache.kafka.common.errors.InterruptException("Interrupted while starting the metadata quorum");
      }
    }
  }

  private boolean isReady(RaftServer server) {
    try {
      RaftServer.Division division = server.getDivision(GROUP_ID);
      DivisionInfo info = division.getInfo();
      if (info.getLeaderId() == null || (info.isLeader() && !info.isLeaderReady())) {
        return false;
      }
      long committed = division.getRaftLog().getLastCommittedIndex();
      return stateMachine.getLastAppliedTermIndex() != null
          && stateMachine.getLastAppliedTermIndex().getIndex() >= committed;
    } catch (IOException e) {
      return false;
    }
  }

  public int nodeId() {
    return nodeId;
  }

  /** The latest applied image. */
  public MetadataImage image() {
    return stateMachine.image();
  }

  /**
   * Calls {@code listener} with (previous, new) after every applied batch, on the apply thread, and right now
   * with ({@link MetadataImage#EMPTY}, current).
   */
  public void addListener(MetadataListener listener) {
    stateMachine.addListener(listener);
  }

  public void removeListener(MetadataListener listener) {
    stateMachine.removeListener(listener);
  }

  public QuorumController controller() {
    return controller;
  }

  /** True if this node currently leads the metadata group (and so its controller can write). */
  public boolean isLeader() {
    RaftServer server = ready.getNow(null);
    if (server == null) {
      return false;
    }
    try {
      DivisionInfo info = server.getDivision(GROUP_ID).getInfo();
      return info.isLeader() && info.isLeaderReady();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Forces a snapshot now (normally one is taken every {@value #SNAPSHOT_THRESHOLD_ENTRIES} entries) and returns
   * its log index.
   */
  public long takeSnapshot() {
    SnapshotManagementRequest request = SnapshotManagementRequest.newCreate(clientId, peerId, GROUP_ID,
        callIds.incrementAndGet(), 30_000, 1);
    awaitReady();
    RaftClientReply reply = ready.join().snapshotManagementAsync(request).join();
    if (!reply.isSuccess()) {
      throw new IllegalStateException("Snapshot failed: " + reply.getException());
    }
    return reply.getLogIndex();
  }

  /** The {@link RecordWriter} of the controller: submits the batch to the local Raft server (the leader). */
  CompletableFuture<Long> write(long expectedLastAppliedIndex, List<MetadataRecord> records) {
    RaftClientRequest request = request(MetadataEntry.encode(expectedLastAppliedIndex, records));
    // Before Ratis runs (a fast restart serving the last clean image, or a new cluster) writes queue up behind
    // its start.
    startRaftInBackground();
    return ready.thenCompose(server -> submit(server, request, expectedLastAppliedIndex));
  }

  private RaftClientRequest request(byte[] entry) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(peerId)
        .setGroupId(GROUP_ID)
        .setCallId(callIds.incrementAndGet())
        .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)))
        .setType(RaftClientRequest.writeRequestType())
        .build();
  }

  private static CompletableFuture<Long> submit(RaftServer server, RaftClientRequest request,
                                                long expectedLastAppliedIndex) {
    try {
      return server.submitClientRequestAsync(request).thenApply(reply -> {
        if (!reply.isSuccess()) {
          throw toKafkaException(reply.getException());
        }
        return MetadataEntry.parseReply(reply.getMessage().getContent().asReadOnlyByteBuffer(),
            expectedLastAppliedIndex);
      });
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new NotControllerException("Metadata write failed: " + e.getMessage()));
    }
  }

  private static RuntimeException toKafkaException(RaftException e) {
    if (e instanceof NotLeaderException || e instanceof LeaderNotReadyException) {
      return new NotControllerException("This node is not the metadata leader: " + e.getMessage());
    }
    return new IllegalStateException("Metadata write failed: " + e, e);
  }

  @Override
  public void close() {
    controller.close();
    synchronized (this) {
      if (awaitingBootstrap) {
        // A new cluster that never wrote anything: leave no Raft log behind, so the next start is new too.
        deferredStart = null;
        ready.completeExceptionally(new NotControllerException("Stopped before the metadata quorum started"));
        return;
      }
    }
    // Stopped before Ratis was started: start it anyway, so that it stops cleanly and takes its snapshot.
    startRaftInBackground();
    RaftServer server;
    try {
      server = ready.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      return; // never started, so nothing to stop; the failure was logged when it happened
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to stop the metadata quorum", e);
    }
    // Ratis took a snapshot as it stopped; if that holds everything applied, the next start can serve it at once.
    stateMachine.cleanSnapshot().ifPresent(snapshot -> CleanShutdownMarker.write(raftDir, snapshot));
  }

  @Override
  public String toString() {
    return "MetadataQuorum(node " + nodeId + ", " + Objects.requireNonNullElse(image(), MetadataImage.EMPTY) + ")";
  }
}
