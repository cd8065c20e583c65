package io.tributary.metadata;

import java.util.Arrays;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * Creates or replaces the registration of one partition. Arrays are copied in and out so a record, once built,
 * cannot change under the image that holds it.
 */
public record PartitionRecord(Uuid topicId, int partitionId, int[] replicas, int[] isr, int leader,
                              int leaderEpoch, int partitionEpoch) implements MetadataRecord {
  public PartitionRecord {
    Objects.requireNonNull(topicId, "topicId");
    if (partitionId < 0) {
      throw new IllegalArgumentException("partitionId must not be negative: " + partitionId);
    }
    replicas = replicas.clone();
    isr = isr.clone();
  }

  public PartitionRecord(Uuid topicId, int partitionId, PartitionRegistration registration) {
    this(topicId, partitionId, registration.replicas(), registration.isr(), registration.leader(),
        registration.leaderEpoch(), registration.partitionEpoch());
  }

  @Override
  public int[] replicas() {
    return replicas.clone();
  }

  @Override
  public int[] isr() {
    return isr.clone();
  }

  public PartitionRegistration toRegistration() {
    return new PartitionRegistration(replicas, isr, leader, leaderEpoch, partitionEpoch);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartitionRecord r && topicId.equals(r.topicId) && partitionId == r.partitionId
        && Arrays.equals(replicas, r.replicas) && Arrays.equals(isr, r.isr) && leader == r.leader
        && leaderEpoch == r.leaderEpoch && partitionEpoch == r.partitionEpoch;
  }

  @Override
  public int hashCode() {
    return Objects.hash(topicId, partitionId, Arrays.hashCode(replicas), Arrays.hashCode(isr), leader,
        leaderEpoch, partitionEpoch);
  }

  @Override
  public String toString() {
    return "PartitionRecord[topicId=" + topicId + ", partitionId=" + partitionId + ", replicas="
        + Arrays.toString(replicas) + ", isr=" + Arrays.toString(isr) + ", leader=" + leader + ", leaderEpoch="
        + leaderEpoch + ", partitionEpoch=" + partitionEpoch + "]";
  }
}
