package io.tributary.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay rules of the image: invariants hold, bad records are refused, a refused batch changes nothing. */
class MetadataImageTest {
  private final Uuid id = Uuid.randomUuid();

  private MetadataImage withTopic() {
    return MetadataImage.EMPTY.apply(List.of(new TopicRecord("t", id),
        new PartitionRecord(id, 0, new int[] {1, 2}, new int[] {1}, 1, 0, 0),
        new ConfigRecord(ConfigRecord.ResourceType.TOPIC, "t", "retention.ms", "5")), 7);
  }

  @Test
  void replaysATopicBatch() {
    MetadataImage img = withTopic();
    assertThat(img.lastAppliedIndex()).isEqualTo(7);
    assertThat(img.topic("t")).isSameAs(img.topic(id));
    assertThat(img.topic("t").partition(0).leader()).isEqualTo(1);
    assertThat(img.topic("t").configs()).containsEntry("retention.ms", "5");
    MetadataImage removed = img.apply(List.of(new RemoveTopicRecord(id)), 8);
    assertThat(removed.topicsByName()).isEmpty();
    assertThat(removed.topicsById()).isEmpty();
    assertThat(img.topic("t")).isNotNull(); // the old image is untouched
  }

  @Test
  void refusesInconsistentRecordsAndLeavesTheImageAlone() {
    MetadataImage img = withTopic();
    Uuid other = Uuid.randomUuid();
    List<List<MetadataRecord>> bad = List.of(
        List.of(new TopicRecord("t", other)),
        List.of(new TopicRecord("u", id)),
        List.of(new TopicRecord("z", Uuid.ZERO_UUID)),
        List.of(new PartitionRecord(other, 0, new int[] {1}, new int[] {1}, 1, 0, 0)),
        List.of(new PartitionRecord(id, 1, new int[] {1, 1}, new int[] {1}, 1, 0, 0)),
        List.of(new PartitionRecord(id, 1, new int[] {1}, new int[] {2}, 1, 0, 0)),
        List.of(new PartitionRecord(id, 1, new int[] {1, 2}, new int[] {1}, 2, 0, 0)),
        List.of(new PartitionRecord(id, 1, new int[] {}, new int[] {}, -1, 0, 0)),
        List.of(new RemoveTopicRecord(other)),
        List.of(new ConfigRecord(ConfigRecord.ResourceType.TOPIC, "nope", "k", "v")),
        List.of(new ClusterIdRecord("a"), new ClusterIdRecord("b")),
        List.of(new ProducerIdsRecord(1, 10), new ProducerIdsRecord(1, 10)),
        // valid first record, invalid second: nothing of the batch may stick
        List.of(new TopicRecord("fresh", other), new RemoveTopicRecord(Uuid.randomUuid())));
    for (List<MetadataRecord> batch : bad) {
      assertThatThrownBy(() -> img.apply(batch, 8)).as(batch.toString()).isInstanceOf(IllegalStateException.class);
    }
    assertThat(img).isEqualTo(withTopic());
    assertThat(img.topic("fresh")).isNull();
  }

  @Test
  void brokerConfigsDisappearWhenEmpty() {
    MetadataImage img = MetadataImage.EMPTY.apply(List.of(
        new ConfigRecord(ConfigRecord.ResourceType.BROKER, "", "log.retention.ms", "1")));
    assertThat(img.brokerConfigs("")).containsEntry("log.retention.ms", "1");
    MetadataImage cleared = img.apply(List.of(
        new ConfigRecord(ConfigRecord.ResourceType.BROKER, "", "log.retention.ms", null)));
    assertThat(cleared.brokerConfigs()).isEmpty();
    assertThat(cleared).isEqualTo(MetadataImage.EMPTY);
  }

  @Test
  void toRecordsRebuildsTheImage() {
    MetadataImage img = withTopic().apply(List.of(new ClusterIdRecord("c"), new ProducerIdsRecord(3, 2000),
        new ConfigRecord(ConfigRecord.ResourceType.BROKER, "1", "num.io.threads", "8"),
        new RegisterBrokerRecord(1, Uuid.randomUuid(), List.of(), "rack")), 9);
    assertThat(MetadataImage.EMPTY.apply(img.toRecords(), 9)).isEqualTo(img);
  }

  @Test
  void snapshotFileRoundTripsAndDetectsCorruption(@TempDir Path dir) throws Exception {
    MetadataImage img = withTopic().apply(List.of(new ProducerIdsRecord(1, 5000)), 12);
    Path file = dir.resolve("snapshot");
    MetadataSnapshotFile.write(file, img);
    assertThat(MetadataSnapshotFile.read(file)).isEqualTo(img);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 3] ^= 0x10;
    Files.write(file, bytes);
    assertThatThrownBy(() -> MetadataSnapshotFile.read(file)).isInstanceOf(CorruptMetadataException.class);
  }
}
