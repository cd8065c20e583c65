package io.tributary.metadata;

import java.util.Arrays;
import java.util.Objects;

/**
 * The replicated state of one partition in the image: who holds it, who is in sync and who leads.
 * Invariants (checked here so that no replayed record can violate them): replicas are non-empty and distinct,
 * the ISR is a subset of the replicas, and the leader is a replica in the ISR or -1 (no leader).
 */
public record PartitionRegistration(int[] replicas, int[] isr, int leader, int leaderEpoch, int partitionEpoch) {
  public static final int NO_LEADER = -1;

  public PartitionRegistration {
    replicas = replicas.clone();
    isr = isr.clone();
    if (replicas.length == 0) {
      throw new IllegalArgumentException("A partition needs at least one replica");
    }
    if (Arrays.stream(replicas).distinct().count() != replicas.length) {
      throw new IllegalArgumentException("Duplicate replicas " + Arrays.toString(replicas));
    }
    for (int broker : isr) {
      if (!contains(replicas, broker)) {
        throw new IllegalArgumentException("ISR " + Arrays.toString(isr) + " is not a subset of replicas "
            + Arrays.toString(replicas));
      }
    }
    if (leader != NO_LEADER && !contains(isr, leader)) {
      throw new IllegalArgumentException("Leader " + leader + " is not in the ISR " + Arrays.toString(isr));
    }
    if (leaderEpoch < 0 || partitionEpoch < 0) {
      throw new IllegalArgumentException("Epochs must not be negative");
    }
  }

  private static boolean contains(int[] ids, int id) {
    for (int x : ids) {
      if (x == id) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int[] replicas() {
    return replicas.clone();
  }

  @Override
  public int[] isr() {
    return isr.clone();
  }

  public int replicationFactor() {
    return replicas.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartitionRegistration r && Arrays.equals(replicas, r.replicas) && Arrays.equals(isr, r.isr)
        && leader == r.leader && leaderEpoch == r.leaderEpoch && partitionEpoch == r.partitionEpoch;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(replicas), Arrays.hashCode(isr), leader, leaderEpoch, partitionEpoch);
  }

  @Override
  public String toString() {
    return "PartitionRegistration[replicas=" + Arrays.toString(replicas) + ", isr=" + Arrays.toString(isr)
        + ", leader=" + leader + ", leaderEpoch=" + leaderEpoch + ", partitionEpoch=" + partitionEpoch + "]";
  }
}
