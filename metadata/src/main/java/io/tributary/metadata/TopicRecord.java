package io.tributary.metadata;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/** Creates a topic; its partitions and config overrides follow in the same batch. */
public record TopicRecord(String name, Uuid topicId) implements MetadataRecord {
  public TopicRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(topicId, "topicId");
  }
}
