package io.tributary.metadata;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/** A registered broker as seen in the image; {@code rack} may be null. */
public record BrokerRegistration(int nodeId, Uuid incarnationId, List<Endpoint> endpoints, String rack) {
  public BrokerRegistration {
    Objects.requireNonNull(incarnationId, "incarnationId");
    endpoints = List.copyOf(endpoints);
  }
}
