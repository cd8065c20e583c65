package io.tributary.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfigCollection;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real thing: a single-voter Ratis group on disk, restarted, snapshotted and restarted again. */
class MetadataQuorumTest {
  private static final String VOTERS = "1@localhost:0";

  @TempDir
  Path dir;

  @Test
  void survivesRestartsAndSnapshotsWithAnIdenticalImage() throws Exception {
    Set<Long> producerIdBlocks = new HashSet<>();
    MetadataImage before;
    try (MetadataQuorum q = startTimed("first start")) {
      // A new quorum starts Raft at the first write, or when asked.
      assertThat(q.bootstrapPending()).isTrue();
      q.awaitReady();
      assertThat(q.isLeader()).isTrue();
      assertThat(q.bootstrapPending()).isFalse();
      QuorumController c = q.controller();
      List<MetadataImage> seen = new CopyOnWriteArrayList<>();
      q.addListener((prev, cur) -> seen.add(cur));
      assertThat(seen).containsExactly(MetadataImage.EMPTY);

      assertThat(c.ensureClusterId("cluster-a").get()).isEqualTo("cluster-a");
      assertThat(c.ensureClusterId("cluster-b").get()).isEqualTo("cluster-a");
      c.registerBroker(1, Uuid.randomUuid(), List.of(new Endpoint("PLAINTEXT", "localhost", 9092,
          SecurityProtocol.PLAINTEXT)), null).get();
      CreateTopicsResponseData created = c.createTopics(createRequest("orders", 3, "retention.ms", "1000")).get();
      assertThat(created.topics().find("orders").errorCode()).isEqualTo(Errors.NONE.code());
      c.createTopics(createRequest("doomed", 1, "cleanup.policy", "compact")).get();
      alter(c, "orders", "retention.ms", "2000");
      var deleted = c.deleteTopics(new DeleteTopicsRequestData().setTopicNames(List.of("doomed")), (short) 5).get();
      assertThat(deleted.responses().iterator().next().errorCode()).isEqualTo(Errors.NONE.code());
      for (int i = 0; i < 3; i++) {
        assertThat(producerIdBlocks.add(c.allocateProducerIds(1, 1000).get())).isTrue();
      }
      before = q.image();
      assertThat(before.topic("orders").configs()).containsEntry("retention.ms", "2000");
      assertThat(before.topic("doomed")).isNull();
      assertThat(before.clusterId()).isEqualTo("cluster-a");
      assertThat(seen.get(seen.size() - 1)).isEqualTo(before);
    }

    try (MetadataQuorum q = startTimed("restart (log replay)")) {
      assertThat(q.image()).isEqualTo(before);
      assertThat(producerIdBlocks.add(q.controller().allocateProducerIds(1, 1000).get())).isTrue();
      before = q.image();
      long snapshotIndex = q.takeSnapshot();
      assertThat(snapshotIndex).isGreaterThanOrEqualTo(before.lastAppliedIndex());
      // Something after the snapshot, so the next start replays snapshot + log.
      q.controller().createTopics(createRequest("after-snapshot", 2, "retention.ms", "5")).get();
      before = q.image();
    }

    try (MetadataQuorum q = startTimed("restart (snapshot + log replay)")) {
      assertThat(q.image()).isEqualTo(before);
      assertThat(q.image().topic("after-snapshot").numPartitions()).isEqualTo(2);
      assertThat(producerIdBlocks.add(q.controller().allocateProducerIds(1, 1000).get())).isTrue();
      q.takeSnapshot();
      before = q.image();
    }

    // Prove the snapshot alone rebuilds the image: remove every log segment (nothing was written after it).
    try (var files = java.nio.file.Files.walk(dir.resolve("raft"))) {
      List<Path> segments = files.filter(p -> p.getFileName().toString().startsWith("log_")).toList();
      assertThat(segments).isNotEmpty();
      for (Path p : segments) {
        java.nio.file.Files.delete(p);
      }
    }
    try (MetadataQuorum q = startTimed("restart (snapshot only)")) {
      assertThat(q.image()).isEqualTo(before);
      long first = q.controller().allocateProducerIds(1, 1000).get();
      assertThat(producerIdBlocks).allSatisfy(b -> assertThat(first).isGreaterThanOrEqualTo(b + 1000));
    }
  }

  @Test
  void staleAndUnreplayableBatchesAreRefusedDeterministically() throws Exception {
    MetadataImage before;
    try (MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM)) {
      long index = q.write(q.image().lastAppliedIndex(), List.of(new ClusterIdRecord("c"))).get();
      assertThat(q.image().lastAppliedIndex()).isEqualTo(index);
      before = q.image();

      assertThatThrownBy(() -> q.write(index - 1, List.of(new ProducerIdsRecord(1, 10))).get())
          .hasCauseInstanceOf(StaleImageException.class);
      assertThatThrownBy(() -> q.write(index, List.of(new RemoveTopicRecord(Uuid.randomUuid()))).get())
          .hasCauseInstanceOf(CorruptMetadataException.class).hasMessageContaining("Unknown topic id");
      assertThat(q.image()).isEqualTo(before);

      // A big topic is one Raft entry of a few hundred KB.
      q.controller().registerBroker(1, Uuid.randomUuid(), List.of(new Endpoint("PLAINTEXT", "localhost", 9092,
          SecurityProtocol.PLAINTEXT)), null).get();
      long t0 = System.nanoTime();
      var created = q.controller().createTopics(createRequest("big", 20_000, "retention.ms", "1")).get();
      assertThat(created.topics().find("big").errorCode()).isEqualTo(Errors.NONE.code());
      System.out.printf("Created a 20000-partition topic in %.1f ms%n", (System.nanoTime() - t0) / 1e6);
      before = q.image();
    }
    try (MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM)) {
      assertThat(q.image()).isEqualTo(before);
      assertThat(q.image().topic("big").numPartitions()).isEqualTo(20_000);
    }
  }

  @Test
  void listenersSeeEveryImageInOrder() throws Exception {
    try (MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM)) {
      List<long[]> transitions = new CopyOnWriteArrayList<>();
      q.addListener((prev, cur) -> transitions.add(new long[] {prev.lastAppliedIndex(), cur.lastAppliedIndex()}));
      for (int i = 0; i < 5; i++) {
        q.controller().allocateProducerIds(1, 10).get();
      }
      assertThat(transitions).hasSize(6);
      assertThat(transitions.get(0)[0]).isEqualTo(-1);
      for (int i = 1; i < transitions.size(); i++) {
        assertThat(transitions.get(i)[0]).isEqualTo(transitions.get(i - 1)[1]);
        assertThat(transitions.get(i)[1]).isGreaterThan(transitions.get(i)[0]);
      }
      assertThat(q.image().nextProducerId()).isEqualTo(50);
      q.addListener((prev, cur) -> {
        throw new IllegalStateException("a broken listener must not wedge the log");
      });
      assertThat(q.controller().allocateProducerIds(1, 10).get()).isEqualTo(50);
      assertThat(transitions).hasSize(7);
    }
  }

  @Test
  void cleanRestartsDoNotPileUpLogSegments() throws Exception {
    long nextProducerId = 0;
    for (int restart = 0; restart < 12; restart++) {
      try (MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM)) {
        assertThat(q.image().nextProducerId()).isEqualTo(nextProducerId);
        nextProducerId = q.controller().allocateProducerIds(1, 10).get() + 10;
      }
    }
    // Without purging at the shutdown snapshot each restart would leave one more segment to read at start.
    try (var files = java.nio.file.Files.walk(dir.resolve("raft"))) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertThat(names.stream().filter(n -> n.startsWith("log_"))).hasSizeLessThanOrEqualTo(2);
      assertThat(names.stream().filter(n -> n.startsWith("snapshot.") && !n.endsWith(".md5"))).hasSizeLessThanOrEqualTo(2);
    }
    try (MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM)) {
      assertThat(q.image().nextProducerId()).isEqualTo(nextProducerId);
    }
  }

  @Test
  void aCleanRestartServesTheLastImageAtOnceAndWritesWaitForRaft() throws Exception {
    MetadataImage before;
    try (MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM)) {
      q.controller().ensureClusterId("cluster-a").get();
      q.controller().registerBroker(1, Uuid.randomUuid(), List.of(new Endpoint("PLAINTEXT", "localhost", 9092,
          SecurityProtocol.PLAINTEXT)), null).get();
      q.controller().createTopics(createRequest("orders", 3, "retention.ms", "1000")).get();
      before = q.image();
      assertThat(before.topic("orders").numPartitions()).isEqualTo(3);
    }
    Path marker = dir.resolve("raft").resolve(CleanShutdownMarker.FILE_NAME);
    assertThat(marker).exists();

    MetadataImage after;
    try (MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM)) {
      // Consumed before Raft starts: from here on the log may grow past the snapshot it names.
      assertThat(marker).doesNotExist();
      assertThat(q.fastRestart()).isTrue();
      assertThat(q.image()).isEqualTo(before);
      List<MetadataImage> seen = new CopyOnWriteArrayList<>();
      q.addListener((prev, cur) -> seen.add(cur));
      CreateTopicsResponseData created = q.controller().createTopics(createRequest("payments", 2, "retention.ms", "9")).get();
      assertThat(created.topics().find("payments").errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(q.isStarted()).isTrue();
      assertThat(q.isLeader()).isTrue();
      after = q.image();
      assertThat(after.topic("orders")).isEqualTo(before.topic("orders"));
      assertThat(after.topic("payments").numPartitions()).isEqualTo(2);
      // Ratis loading the same snapshot is not news to listeners: they saw the image, then only the new topic.
      assertThat(seen).hasSize(2);
      assertThat(seen.get(0)).isEqualTo(before);
      assertThat(seen.get(1)).isEqualTo(after);
    }

    // A marker that does not check out is ignored: the slow path replays the same image through Raft.
    java.nio.file.Files.writeString(marker, java.nio.file.Files.readString(marker).replace('1', '2'));
    try (MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM)) {
      assertThat(q.fastRestart()).isFalse();
      assertThat(q.isStarted()).isTrue();
      assertThat(q.image()).isEqualTo(after);
      assertThat(marker).doesNotExist();
    }
  }

  @Test
  void aNewClusterServesItsBootstrapRecordsAtOnceAndCommitsThemFirst() throws Exception {
    Path raft = dir.resolve("raft");
    Endpoint endpoint = new Endpoint("PLAINTEXT", "localhost", 9092, SecurityProtocol.PLAINTEXT);
    List<MetadataRecord> first = List.of(new ClusterIdRecord("new-cluster"),
        new RegisterBrokerRecord(1, Uuid.randomUuid(), List.of(endpoint), null));
    MetadataImage after;
    try (MetadataQuorum q = MetadataQuorum.start(1, raft, VOTERS, Time.SYSTEM)) {
      assertThat(q.bootstrapPending()).isTrue();
      List<MetadataImage> seen = new CopyOnWriteArrayList<>();
      q.addListener((prev, cur) -> seen.add(cur));
      assertThat(q.bootstrap(first)).isTrue();
      // Served before Raft runs, and durable before served.
      assertThat(q.isStarted()).isFalse();
      assertThat(q.bootstrapped()).isTrue();
      assertThat(q.image().clusterId()).isEqualTo("new-cluster");
      assertThat(q.image().brokers()).containsKey(1);
      assertThat(raft.resolve(BootstrapFile.FILE_NAME)).exists();
      assertThat(q.bootstrap(first)).as("only once").isFalse();

      q.startRaftInBackground();
      q.awaitReady();
      // Committed as Raft's first entry before ready: the image now comes from the log, and the file is gone.
      assertThat(q.image().lastAppliedIndex()).isGreaterThanOrEqualTo(0);
      assertThat(q.image().clusterId()).isEqualTo("new-cluster");
      assertThat(q.image().brokers().get(1).endpoints()).containsExactly(endpoint);
      assertThat(raft.resolve(BootstrapFile.FILE_NAME)).doesNotExist();
      assertThat(q.controller().ensureClusterId("other").get()).isEqualTo("new-cluster");
      q.controller().createTopics(createRequest("orders", 3, "retention.ms", "1000")).get();
      after = q.image();
      assertThat(seen.get(0)).isEqualTo(MetadataImage.EMPTY);
      assertThat(seen.get(seen.size() - 1)).isEqualTo(after);
    }
    // Replayed from the Raft log alone (no clean-shutdown shortcut): the bootstrap records are in it.
    java.nio.file.Files.delete(raft.resolve(CleanShutdownMarker.FILE_NAME));
    try (MetadataQuorum q = MetadataQuorum.start(1, raft, VOTERS, Time.SYSTEM)) {
      assertThat(q.bootstrapPending()).isFalse();
      assertThat(q.bootstrap(first)).isFalse();
      assertThat(q.image()).isEqualTo(after);
    }
  }

  @Test
  void bootstrapRecordsLeftByACrashAreCommittedAtTheNextStart() throws Exception {
    Path raft = dir.resolve("raft");
    java.nio.file.Files.createDirectories(raft);
    // What a new cluster leaves when it is killed after serving its first records but before Raft committed them.
    BootstrapFile.write(raft, MetadataImage.EMPTY.apply(List.of(new ClusterIdRecord("survivor")), -1));
    try (MetadataQuorum q = MetadataQuorum.start(1, raft, VOTERS, Time.SYSTEM)) {
      assertThat(q.isStarted()).as("replays through Raft").isTrue();
      assertThat(q.bootstrapPending()).isFalse();
      assertThat(q.image().clusterId()).isEqualTo("survivor");
      assertThat(q.image().lastAppliedIndex()).isGreaterThanOrEqualTo(0);
      assertThat(raft.resolve(BootstrapFile.FILE_NAME)).doesNotExist();
    }
    // Killed after the commit but before the file was deleted (a kill leaves no clean-shutdown note): the log's id
    // stands, and the file goes.
    java.nio.file.Files.delete(raft.resolve(CleanShutdownMarker.FILE_NAME));
    BootstrapFile.write(raft, MetadataImage.EMPTY.apply(List.of(new ClusterIdRecord("survivor")), -1));
    try (MetadataQuorum q = MetadataQuorum.start(1, raft, VOTERS, Time.SYSTEM)) {
      assertThat(q.image().clusterId()).isEqualTo("survivor");
      assertThat(raft.resolve(BootstrapFile.FILE_NAME)).doesNotExist();
    }
  }

  @Test
  void anUnreadableBootstrapFileIsIgnoredAndTheClusterStartsNew() throws Exception {
    Path raft = dir.resolve("raft");
    java.nio.file.Files.createDirectories(raft);
    java.nio.file.Files.write(raft.resolve(BootstrapFile.FILE_NAME), new byte[] {1, 2, 3, 4, 5});
    try (MetadataQuorum q = MetadataQuorum.start(1, raft, VOTERS, Time.SYSTEM)) {
      assertThat(q.bootstrapPending()).isTrue();
      assertThat(q.bootstrap(List.of(new ClusterIdRecord("fresh")))).isTrue();
      q.awaitReady();
      assertThat(q.image().clusterId()).isEqualTo("fresh");
      assertThat(q.image().lastAppliedIndex()).isGreaterThanOrEqualTo(0);
      assertThat(raft.resolve(BootstrapFile.FILE_NAME)).doesNotExist();
    }
  }

  @Test
  void aNewClusterStoppedBeforeItsFirstRecordsStaysNew() throws Exception {
    try (MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM)) {
      assertThat(q.bootstrapPending()).isTrue();
    }
    try (MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM)) {
      assertThat(q.bootstrapPending()).isTrue();
      // A write first starts Raft without bootstrap records; the caller then writes its records as usual.
      assertThat(q.controller().ensureClusterId("written").get()).isEqualTo("written");
      assertThat(q.bootstrap(List.of(new ClusterIdRecord("served")))).isFalse();
      assertThat(q.image().clusterId()).isEqualTo("written");
    }
  }

  private MetadataQuorum startTimed(String what) {
    long t0 = System.nanoTime();
    MetadataQuorum q = MetadataQuorum.start(1, dir.resolve("raft"), VOTERS, Time.SYSTEM);
    System.out.printf("MetadataQuorum %s: ready in %.1f ms%n", what, (System.nanoTime() - t0) / 1e6);
    return q;
  }

  static CreateTopicsRequestData createRequest(String name, int partitions, String key, String value) {
    CreatableTopicConfigCollection configs = new CreatableTopicConfigCollection();
    configs.add(new CreatableTopicConfig().setName(key).setValue(value));
    CreateTopicsRequestData.CreatableTopicCollection topics = new CreateTopicsRequestData.CreatableTopicCollection();
    topics.add(new CreatableTopic().setName(name).setNumPartitions(partitions).setReplicationFactor((short) -1)
        .setConfigs(configs));
    return new CreateTopicsRequestData().setTopics(topics);
  }

  static void alter(QuorumController c, String topic, String key, String value) throws Exception {
    IncrementalAlterConfigsRequestData.AlterableConfigCollection configs =
        new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
    configs.add(new AlterableConfig().setName(key).setValue(value)
        .setConfigOperation(AlterConfigOp.OpType.SET.id()));
    IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources =
        new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
    resources.add(new AlterConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(topic)
        .setConfigs(configs));
    var response = c.incrementalAlterConfigs(new IncrementalAlterConfigsRequestData().setResources(resources)).get();
    assertThat(response.responses().get(0).errorCode()).isEqualTo(Errors.NONE.code());
  }
}
