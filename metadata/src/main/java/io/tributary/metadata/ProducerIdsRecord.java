package io.tributary.metadata;

/**
 * Durably hands a block of producer ids to a broker: after replay the next block starts at {@code nextProducerId},
 * so a block is never handed out twice, even across restarts. {@code brokerId} is informational
 * (-1 when written by a snapshot).
 */
public record ProducerIdsRecord(int brokerId, long nextProducerId) implements MetadataRecord {
  public ProducerIdsRecord {
    if (nextProducerId < 0) {
      throw new IllegalArgumentException("nextProducerId must not be negative: " + nextProducerId);
    }
  }
}
