package io.tributary.metadata;

import java.util.Objects;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/** One listener a broker advertises to clients, e.g. ("PLAINTEXT", "host", 9092, PLAINTEXT). */
public record Endpoint(String name, String host, int port, SecurityProtocol securityProtocol) {
  public Endpoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(securityProtocol, "securityProtocol");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }
}
