package io.tributary.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * An immutable snapshot of everything the cluster agrees on: topics, partitions, brokers, dynamic configs,
 * the producer-id high-water mark and the cluster id.
 *
 * <p>The image is the only metadata state, and it only ever changes by replaying records ({@link #apply}), both
 * when the Raft log is applied and when a snapshot is loaded. Because {@code apply} is deterministic and validates
 * every record against the current image, every replica that replays the same log ends with an equal image, and a
 * record that would break an invariant (a partition of an unknown topic, a duplicate topic id...) is refused with
 * an exception instead of silently corrupting the state. A batch is all-or-nothing: the next image is built on
 * private copies and only returned when the whole batch applied.
 *
 * <p>{@code lastAppliedIndex} is the Raft index of the last metadata batch folded into this image (-1 for none);
 * the controller uses it to detect that a decision was taken on a stale image.
 */
public record MetadataImage(String clusterId, long lastAppliedIndex, Map<String, TopicImage> topicsByName,
                            Map<Uuid, TopicImage> topicsById, Map<Integer, BrokerRegistration> brokers,
                            Map<String, Map<String, String>> brokerConfigs, long nextProducerId) {

  public static final MetadataImage EMPTY =
      new MetadataImage(null, -1L, Map.of(), Map.of(), Map.of(), Map.of(), 0L);

  public MetadataImage {
    topicsByName = Collections.unmodifiableMap(new TreeMap<>(topicsByName));
    topicsById = Collections.unmodifiableMap(new HashMap<>(topicsById));
    brokers = Collections.unmodifiableMap(new TreeMap<>(brokers));
    Map<String, Map<String, String>> configs = new TreeMap<>();
    brokerConfigs.forEach((k, v) -> configs.put(k, Collections.unmodifiableMap(new TreeMap<>(v))));
    brokerConfigs = Collections.unmodifiableMap(configs);
    if (topicsByName.size() != topicsById.size()) {
      throw new IllegalArgumentException("topicsByName and topicsById disagree");
    }
    if (nextProducerId < 0) {
      throw new IllegalArgumentException("nextProducerId must not be negative");
    }
  }

  public TopicImage topic(String name) {
    return topicsByName.get(name);
  }

  public TopicImage topic(Uuid id) {
    return topicsById.get(id);
  }

  /** Broker ids that may host replicas, ascending. (There is no fencing yet: every registered broker counts.) */
  public List<Integer> usableBrokerIds() {
    return List.copyOf(brokers.keySet());
  }

  /** The dynamic configs of one broker ("" = cluster-wide default); empty if none. */
  public Map<String, String> brokerConfigs(String resourceName) {
    return brokerConfigs.getOrDefault(resourceName, Map.of());
  }

  /** Replays a batch, keeping {@link #lastAppliedIndex}. */
  public MetadataImage apply(List<MetadataRecord> records) {
    return apply(records, lastAppliedIndex);
  }

  /**
   * Replays a batch written at Raft index {@code index} and returns the resulting image.
   *
   * @throws IllegalStateException if a record is inconsistent with the image; this image is unaffected
   */
  public MetadataImage apply(List<MetadataRecord> records, long index) {
    Builder b = new Builder(this);
    for (MetadataRecord record : records) {
      b.replay(record);
    }
    return b.build(index);
  }

  /**
   * The image as the minimal list of records that rebuilds it from {@link #EMPTY}: what a snapshot stores.
   * Topics come in id order so the encoding of equal images is identical.
   */
  public List<MetadataRecord> toRecords() {
    List<MetadataRecord> out = new ArrayList<>();
    if (clusterId != null) {
      out.add(new ClusterIdRecord(clusterId));
    }
    for (BrokerRegistration b : brokers.values()) {
      out.add(new RegisterBrokerRecord(b.nodeId(), b.incarnationId(), b.endpoints(), b.rack()));
    }
    brokerConfigs.forEach((name, configs) -> configs.forEach(
        (k, v) -> out.add(new ConfigRecord(ConfigRecord.ResourceType.BROKER, name, k, v))));
    for (TopicImage t : topicsByName.values()) {
      out.add(new TopicRecord(t.name(), t.id()));
      t.partitions().forEach((p, reg) -> out.add(new PartitionRecord(t.id(), p, reg)));
      t.configs().forEach((k, v) -> out.add(new ConfigRecord(ConfigRecord.ResourceType.TOPIC, t.name(), k, v)));
    }
    if (nextProducerId > 0) {
      out.add(new ProducerIdsRecord(-1, nextProducerId));
    }
    return out;
  }

  /**
   * Mutable working copy used by one {@link #apply} call; never escapes. Topics touched by the batch are held
   * as mutable drafts so that a batch creating N partitions costs O(N), not O(N^2).
   */
  private static final class Builder {
    private String clusterId;
    private final Map<String, TopicImage> topicsByName;
    private final Map<Uuid, TopicImage> topicsById;
    private final Map<Uuid, TopicDraft> drafts = new HashMap<>();
    private final Map<Integer, BrokerRegistration> brokers;
    private final Map<String, Map<String, String>> brokerConfigs;
    private long nextProducerId;

    Builder(MetadataImage base) {
      clusterId = base.clusterId;
      topicsByName = new HashMap<>(base.topicsByName);
      topicsById = new HashMap<>(base.topicsById);
      brokers = new HashMap<>(base.brokers);
      brokerConfigs = new HashMap<>(base.brokerConfigs);
      nextProducerId = base.nextProducerId;
    }

    void replay(MetadataRecord record) {
      try {
        if (record instanceof ClusterIdRecord r) {
          replayClusterId(r);
        } else if (record instanceof TopicRecord r) {
          replayTopic(r);
        } else if (record instanceof PartitionRecord r) {
          draft(r.topicId()).partitions.put(r.partitionId(), r.toRegistration());
        } else if (record instanceof RemoveTopicRecord r) {
          TopicDraft t = draft(r.topicId());
          drafts.remove(t.id);
          topicsById.remove(t.id);
          topicsByName.remove(t.name);
        } else if (record instanceof ConfigRecord r) {
          replayConfig(r);
        } else if (record instanceof RegisterBrokerRecord r) {
          brokers.put(r.nodeId(), new BrokerRegistration(r.nodeId(), r.incarnationId(), r.endpoints(), r.rack()));
        } else if (record instanceof ProducerIdsRecord r) {
          replayProducerIds(r);
        } else {
          throw new IllegalStateException("Unhandled record type " + record.getClass());
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("Cannot replay " + record + ": " + e.getMessage(), e);
      }
    }

    private void replayClusterId(ClusterIdRecord r) {
      if (clusterId != null && !clusterId.equals(r.clusterId())) {
        throw new IllegalStateException("Cluster id is already " + clusterId + ", cannot change it to "
            + r.clusterId());
      }
      clusterId = r.clusterId();
    }

    private void replayTopic(TopicRecord r) {
      if (topicsByName.containsKey(r.name())) {
        throw new IllegalStateException("Topic " + r.name() + " already exists");
      }
      if (topicsById.containsKey(r.topicId()) || Uuid.ZERO_UUID.equals(r.topicId())) {
        throw new IllegalStateException("Topic id " + r.topicId() + " is already used or reserved");
      }
      TopicImage t = new TopicImage(r.name(), r.topicId(), Map.of(), Map.of());
      topicsByName.put(t.name(), t);
      topicsById.put(t.id(), t);
      drafts.put(t.id(), new TopicDraft(t));
    }

    private void replayConfig(ConfigRecord r) {
      if (r.resourceType() == ConfigRecord.ResourceType.TOPIC) {
        TopicImage t = topicsByName.get(r.resourceName());
        if (t == null) {
          throw new IllegalStateException("Config for unknown topic " + r.resourceName());
        }
        applyConfig(draft(t.id()).configs, r);
      } else {
        Map<String, String> configs = new HashMap<>(brokerConfigs.getOrDefault(r.resourceName(), Map.of()));
        applyConfig(configs, r);
        if (configs.isEmpty()) {
          brokerConfigs.remove(r.resourceName());
        } else {
          brokerConfigs.put(r.resourceName(), configs);
        }
      }
    }

    private static void applyConfig(Map<String, String> configs, ConfigRecord r) {
      if (r.value() == null) {
        configs.remove(r.key());
      } else {
        configs.put(r.key(), r.value());
      }
    }

    private void replayProducerIds(ProducerIdsRecord r) {
      if (r.nextProducerId() <= nextProducerId) {
        throw new IllegalStateException("Producer ids must only move forward: " + r.nextProducerId()
            + " <= " + nextProducerId);
      }
      nextProducerId = r.nextProducerId();
    }

    private TopicDraft draft(Uuid id) {
      TopicDraft d = drafts.get(id);
      if (d == null) {
        TopicImage t = topicsById.get(id);
        if (t == null) {
          throw new IllegalStateException("Unknown topic id " + id);
        }
        d = new TopicDraft(t);
        drafts.put(id, d);
      }
      return d;
    }

    MetadataImage build(long index) {
      for (TopicDraft d : drafts.values()) {
        TopicImage t = new TopicImage(d.name, d.id, d.partitions, d.configs);
        topicsByName.put(t.name(), t);
        topicsById.put(t.id(), t);
      }
      return new MetadataImage(clusterId, index, topicsByName, topicsById, brokers, brokerConfigs, nextProducerId);
    }
  }

  /** A topic being changed by the current batch. */
  private static final class TopicDraft {
    final String name;
    final Uuid id;
    final Map<Integer, PartitionRegistration> partitions;
    final Map<String, String> configs;

    TopicDraft(TopicImage t) {
      name = t.name();
      id = t.id();
      partitions = new HashMap<>(t.partitions());
      configs = new HashMap<>(t.configs());
    }
  }

  @Override
  public String toString() {
    return "MetadataImage[clusterId=" + clusterId + ", lastAppliedIndex=" + lastAppliedIndex + ", topics="
        + topicsByName.keySet() + ", brokers=" + brokers.keySet() + ", nextProducerId=" + nextProducerId + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetadataImage m && Objects.equals(clusterId, m.clusterId)
        && lastAppliedIndex == m.lastAppliedIndex && topicsByName.equals(m.topicsByName)
        && brokers.equals(m.brokers) && brokerConfigs.equals(m.brokerConfigs) && nextProducerId == m.nextProducerId;
  }

  @Override
  public int hashCode() {
    return Objects.hash(clusterId, lastAppliedIndex, topicsByName, brokers, brokerConfigs, nextProducerId);
  }
}
