package io.tributary.metadata;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/** One topic in the image: partitions by id and its config overrides (not the defaults). Immutable. */
public record TopicImage(String name, Uuid id, Map<Integer, PartitionRegistration> partitions,
                         Map<String, String> configs) {
  public TopicImage {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(id, "id");
    partitions = Collections.unmodifiableMap(new TreeMap<>(partitions));
    configs = Collections.unmodifiableMap(new TreeMap<>(configs));
  }

  public int numPartitions() {
    return partitions.size();
  }

  public PartitionRegistration partition(int partitionId) {
    return partitions.get(partitionId);
  }
}
