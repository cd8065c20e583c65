package io.tributary.metadata;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * Replica placement and validation of client-supplied assignments, shared by CreateTopics and CreatePartitions.
 *
 * <p>Placement is plain round-robin over the sorted usable broker ids, starting at an offset chosen per request,
 * so leaders of different topics spread over the brokers: partition p gets brokers
 * {@code [(offset + p + i) % n for i in 0..rf)}, its first replica leads and the ISR is all replicas.
 */
final class ReplicaAssignments {
  private ReplicaAssignments() {
  }

  /** The error for a replication factor the registered brokers cannot satisfy, or null if they can. */
  static ApiError checkReplicationFactor(int replicationFactor, int brokerCount) {
    if (replicationFactor > brokerCount) {
      return new ApiError(Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition "
          + replicationFactor + " time(s): The target replication factor of " + replicationFactor
          + " cannot be reached because only " + brokerCount + " broker(s) are registered.");
    }
    return null;
  }

  static List<int[]> place(List<Integer> sortedBrokers, int numPartitions, int replicationFactor, int offset) {
    assert replicationFactor >= 1 && replicationFactor <= sortedBrokers.size();
    int n = sortedBrokers.size();
    List<int[]> out = new ArrayList<>(numPartitions);
    for (int p = 0; p < numPartitions; p++) {
      int[] replicas = new int[replicationFactor];
      for (int i = 0; i < replicationFactor; i++) {
        replicas[i] = sortedBrokers.get((int) ((offset + (long) p + i) % n));
      }
      out.add(replicas);
    }
    return out;
  }

  /**
   * Validates one manual assignment: non-empty, no broker twice, every broker registered and, if
   * {@code expectedReplicas >= 1}, exactly that many replicas. Returns null if valid.
   */
  static ApiError validate(List<Integer> brokerIds, Set<Integer> registered, int expectedReplicas) {
    if (brokerIds == null || brokerIds.isEmpty()) {
      return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT,
          "The manual partition assignment includes an empty replica list.");
    }
    Set<Integer> seen = new HashSet<>();
    for (Integer id : brokerIds) {
      if (id == null || !seen.add(id)) {
        return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT,
            "The manual partition assignment includes the broker " + id + " more than once.");
      }
      if (!registered.contains(id)) {
        return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes broker "
            + id + ", but no such broker is registered.");
      }
    }
    if (expectedReplicas >= 1 && brokerIds.size() != expectedReplicas) {
      return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes a "
          + "partition with " + brokerIds.size() + " replica(s), but this is not consistent with previous "
          + "partitions, which have " + expectedReplicas + " replica(s).");
    }
    return null;
  }

  static int[] toArray(List<Integer> ids) {
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }
}
