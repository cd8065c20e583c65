package io.tributary.metadata;

import java.util.Objects;

/**
 * Sets ({@code value != null}) or removes ({@code value == null}) one dynamic config override.
 * For {@link ResourceType#BROKER} the resource name is a broker id, or "" for the cluster-wide default.
 */
public record ConfigRecord(ResourceType resourceType, String resourceName, String key, String value)
    implements MetadataRecord {

  /** The kinds of resources that carry dynamic configs; the ids are part of the encoded format. */
  public enum ResourceType {
    TOPIC(0), BROKER(1);

    private final int id;

    ResourceType(int id) {
      this.id = id;
    }

    public int id() {
      return id;
    }

    public static ResourceType forId(int id) {
      for (ResourceType t : values()) {
        if (t.id == id) {
          return t;
        }
      }
      throw new IllegalArgumentException("Unknown config resource type id " + id);
    }
  }

  public ConfigRecord {
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(resourceName, "resourceName");
    Objects.requireNonNull(key, "key");
  }
}
