package io.tributary.metadata;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Kafka's standard topic-level config keys, with their default values and value rules, so the controller can
 * validate CreateTopics / IncrementalAlterConfigs the way a Kafka broker would and report effective configs.
 * The defaults are Kafka 4.x's; a broker with different server-level defaults passes its own map through
 * {@link ControllerSettings}.
 */
public final class TopicConfigKeys {
  /** The shape of a config value; LIST values may be APPENDed to or SUBTRACTed from. */
  public enum Type { BOOLEAN, INT, LONG, DOUBLE, STRING, LIST }

  /**
   * One key: its type, Kafka's default, and what is valid beyond the type: a number in [min, max] or equal to
   * {@code codecDefault} (a compression level's "let the codec choose", outside the range; NaN for none), a
   * string among {@code choices} when there are any.
   */
  public record Spec(Type type, String defaultValue, double min, double max, double codecDefault,
                     Set<String> choices) {
    static Spec of(Type type, String def) {
      return new Spec(type, def, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NaN, Set.of());
    }

    static Spec atLeast(Type type, String def, double min) {
      return new Spec(type, def, min, Double.POSITIVE_INFINITY, Double.NaN, Set.of());
    }

    static Spec between(Type type, String def, double min, double max) {
      return new Spec(type, def, min, max, Double.NaN, Set.of());
    }

    static Spec levelOrCodecDefault(String def, double min, double max, double codecDefault) {
      return new Spec(Type.INT, def, min, max, codecDefault, Set.of());
    }

    static Spec oneOf(Type type, String def, String... choices) {
      return new Spec(type, def, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NaN, Set.of(choices));
    }
  }

  private static final String MAX_LONG = Long.toString(Long.MAX_VALUE);

  public static final Map<String, Spec> SPECS;

  static {
    Map<String, Spec> m = new LinkedHashMap<>();
    m.put(TopicConfig.CLEANUP_POLICY_CONFIG, Spec.oneOf(Type.LIST, "delete",
        TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.CLEANUP_POLICY_DELETE));
    m.put(TopicConfig.COMPRESSION_TYPE_CONFIG, Spec.oneOf(Type.STRING, "producer",
        "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"));
    // zlib's levels are 1..9 and -1 asks for its default; 0 (store only) is not a compression Kafka offers.
    m.put(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, Spec.levelOrCodecDefault("-1", 1, 9, -1));
    m.put(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, Spec.between(Type.INT, "9", 1, 17));
    m.put(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, Spec.between(Type.INT, "3", -131072, 22));
    m.put(TopicConfig.DELETE_RETENTION_MS_CONFIG, Spec.atLeast(Type.LONG, "86400000", 0));
    m.put(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, Spec.atLeast(Type.LONG, "60000", 0));
    m.put(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Spec.atLeast(Type.LONG, MAX_LONG, 1));
    m.put(TopicConfig.FLUSH_MS_CONFIG, Spec.atLeast(Type.LONG, MAX_LONG, 0));
    m.put(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Spec.atLeast(Type.INT, "4096", 0));
    m.put(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, Spec.atLeast(Type.LONG, "-2", -2));
    m.put(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, Spec.atLeast(Type.LONG, "-2", -2));
    m.put(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Spec.atLeast(Type.LONG, MAX_LONG, 1));
    m.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Spec.atLeast(Type.INT, "1048588", 0));
    m.put(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Spec.atLeast(Type.LONG, "3600000", 0));
    m.put(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Spec.atLeast(Type.LONG, MAX_LONG, 0));
    m.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, Spec.oneOf(Type.STRING, "CreateTime",
        "CreateTime", "LogAppendTime"));
    m.put(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, Spec.between(Type.DOUBLE, "0.5", 0, 1));
    m.put(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Spec.atLeast(Type.LONG, "0", 0));
    m.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Spec.atLeast(Type.INT, "1", 1));
    m.put(TopicConfig.PREALLOCATE_CONFIG, Spec.of(Type.BOOLEAN, "false"));
    m.put(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, Spec.of(Type.BOOLEAN, "false"));
    m.put(TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG, Spec.of(Type.BOOLEAN, "false"));
    m.put(TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_CONFIG, Spec.of(Type.BOOLEAN, "false"));
    m.put(TopicConfig.RETENTION_BYTES_CONFIG, Spec.of(Type.LONG, "-1"));
    m.put(TopicConfig.RETENTION_MS_CONFIG, Spec.atLeast(Type.LONG, "604800000", -1));
    m.put(TopicConfig.SEGMENT_BYTES_CONFIG, Spec.atLeast(Type.INT, "1073741824", 1024 * 1024));
    m.put(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, Spec.atLeast(Type.INT, "10485760", 4));
    m.put(TopicConfig.SEGMENT_JITTER_MS_CONFIG, Spec.atLeast(Type.LONG, "0", 0));
    m.put(TopicConfig.SEGMENT_MS_CONFIG, Spec.atLeast(Type.LONG, "604800000", 1));
    m.put(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, Spec.of(Type.BOOLEAN, "false"));
    SPECS = Collections.unmodifiableMap(m);
  }

  /** Every standard topic config key. */
  public static final Set<String> ALL = Collections.unmodifiableSet(SPECS.keySet());

  /** Kafka's default value of every standard key. */
  public static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    SPECS.forEach((k, s) -> d.put(k, s.defaultValue()));
    DEFAULTS = Collections.unmodifiableMap(d);
  }

  /** Validates values of the standard keys by their {@link Spec}; unknown keys are accepted (names are checked elsewhere). */
  public static final ConfigValidator VALIDATOR = TopicConfigKeys::validate;

  private TopicConfigKeys() {
  }

  public static boolean isList(String key) {
    Spec s = SPECS.get(key);
    return s != null && s.type() == Type.LIST;
  }

  /** Returns null if {@code value} is valid for {@code key}, else the reason. */
  public static String validate(String key, String value) {
    Spec spec = SPECS.get(key);
    if (spec == null) {
      return null;
    }
    if (value == null) {
      return "Null value is not allowed";
    }
    String v = value.trim();
    switch (spec.type()) {
      case BOOLEAN:
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
          return "Expected value to be either true or false";
        }
        return null;
      case INT:
      case LONG:
      case DOUBLE:
        return validateNumber(spec, v);
      case LIST: {
        List<String> items = splitList(v);
        if (items.isEmpty()) {
          return "The list must not be empty";
        }
        for (String item : items) {
          if (!spec.choices().isEmpty() && !spec.choices().contains(item.toLowerCase(Locale.ROOT))) {
            return "String must be one of: " + String.join(", ", new java.util.TreeSet<>(spec.choices()));
          }
        }
        return null;
      }
      default:
        if (!spec.choices().isEmpty() && !spec.choices().contains(v)) {
          return "String must be one of: " + String.join(", ", new java.util.TreeSet<>(spec.choices()));
        }
        return null;
    }
  }

  private static String validateNumber(Spec spec, String v) {
    double n;
    try {
      switch (spec.type()) {
        case INT -> n = Integer.parseInt(v);
        case LONG -> n = Long.parseLong(v);
        default -> {
          n = Double.parseDouble(v);
          if (Double.isNaN(n)) {
            return "Not a number of type DOUBLE";
          }
        }
      }
    } catch (NumberFormatException e) {
      return "Not a number of type " + spec.type();
    }
    if (n == spec.codecDefault()) {
      return null;
    }
    if (n < spec.min() && !Double.isNaN(spec.codecDefault())) {
      return "Value must be " + format(spec.codecDefault(), spec.type()) + " (the codec's default) or between "
          + format(spec.min(), spec.type()) + " and " + format(spec.max(), spec.type());
    }
    if (n < spec.min()) {
      return "Value must be at least " + format(spec.min(), spec.type());
    }
    if (n > spec.max()) {
      return "Value must be no more than " + format(spec.max(), spec.type());
    }
    return null;
  }

  private static String format(double bound, Type type) {
    return type == Type.DOUBLE ? Double.toString(bound) : Long.toString((long) bound);
  }

  /**
   * The rules that relate two keys, checked on a topic's effective configs (its overrides over the defaults),
   * as Kafka's LogConfig does after the single values passed. Returns null if consistent, else a message naming
   * the offending key.
   */
  public static String validateCombination(Map<String, String> effective) {
    String min = effective.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG);
    String max = effective.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);
    if (min != null && max != null) {
      try {
        if (Long.parseLong(min.trim()) > Long.parseLong(max.trim())) {
          return "Invalid value " + min + " for configuration " + TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG
              + ": must not be greater than " + TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG + " (" + max + ")";
        }
      } catch (NumberFormatException e) {
        return null; // single-value validation reports it
      }
    }
    return null;
  }

  /** Kafka list syntax: comma separated, surrounding whitespace ignored, empty items dropped. */
  public static List<String> splitList(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
