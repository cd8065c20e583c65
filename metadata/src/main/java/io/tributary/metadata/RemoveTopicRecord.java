package io.tributary.metadata;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/** Deletes a topic together with its partitions and config overrides. */
public record RemoveTopicRecord(Uuid topicId) implements MetadataRecord {
  public RemoveTopicRecord {
    Objects.requireNonNull(topicId, "topicId");
  }
}
