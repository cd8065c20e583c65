package io.tributary.metadata;

import java.util.Objects;

/** Fixes the cluster id once, on the very first start; a different id later is a replay error. */
public record ClusterIdRecord(String clusterId) implements MetadataRecord {
  public ClusterIdRecord {
    Objects.requireNonNull(clusterId, "clusterId");
    if (clusterId.isEmpty()) {
      throw new IllegalArgumentException("clusterId must not be empty");
    }
  }
}
