package io.tributary.metadata;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * Registers (or re-registers, replacing the previous registration) a broker. The incarnation id changes on
 * every process start, which lets a broker tell its own current registration from a stale one.
 */
public record RegisterBrokerRecord(int nodeId, Uuid incarnationId, List<Endpoint> endpoints, String rack)
    implements MetadataRecord {
  public RegisterBrokerRecord {
    if (nodeId < 0) {
      throw new IllegalArgumentException("nodeId must not be negative: " + nodeId);
    }
    Objects.requireNonNull(incarnationId, "incarnationId");
    endpoints = List.copyOf(endpoints);
  }
}
