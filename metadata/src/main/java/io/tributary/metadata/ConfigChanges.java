package io.tributary.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * Decides config changes for TOPIC and BROKER resources (a broker id, or "" for the cluster-wide default), for
 * both Kafka APIs: IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT per key) and the legacy AlterConfigs,
 * whose request is the resource's complete new set of overrides, so keys it leaves out are removed.
 *
 * <p>Both work the same way: an edit turns the resource's current overrides into the desired ones, validating
 * every name and value on the way, then the rules between keys are checked on the result, and only the
 * differences become records. A resource is all-or-nothing; resources are independent of each other, and
 * nothing at all is written for validate_only. Because validation happens here, before any record exists, a
 * value that reaches the metadata log has been accepted by the same rules every broker applies.
 */
final class ConfigChanges {
  private final ControllerSettings settings;

  ConfigChanges(ControllerSettings settings) {
    this.settings = settings;
  }

  /** One resource's config overrides before the change. */
  private record Target(ConfigRecord.ResourceType type, String name, Map<String, String> current) {
  }

  /** Turns the current overrides (in {@code desired}, to be modified in place) into the desired ones. */
  @FunctionalInterface
  private interface Edit {
    ApiError apply(Target target, Map<String, String> desired);
  }

  ControllerResult<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(
      MetadataImage image, IncrementalAlterConfigsRequestData request) {
    IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
    List<MetadataRecord> records = new ArrayList<>();
    Set<String> duplicates = duplicates(request.resources().stream()
        .map(r -> key(r.resourceType(), r.resourceName())).toList());
    Set<String> reported = new HashSet<>();
    for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : request.resources()) {
      String key = key(resource.resourceType(), resource.resourceName());
      if (duplicates.contains(key) && !reported.add(key)) {
        continue;
      }
      ApiError error = duplicates.contains(key) ? new ApiError(Errors.INVALID_REQUEST, "Duplicate resource.")
          : decide(image, resource.resourceType(), resource.resourceName(),
              (target, desired) -> incremental(target, resource.configs(), desired), records);
      var result = new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
          .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
      if (error != null) {
        result.setErrorCode(error.error().code()).setErrorMessage(error.message());
      }
      response.responses().add(result);
    }
    return new ControllerResult<>(request.validateOnly() ? List.of() : records, response);
  }

  ControllerResult<AlterConfigsResponseData> legacyAlterConfigs(MetadataImage image,
                                                               AlterConfigsRequestData request) {
    AlterConfigsResponseData response = new AlterConfigsResponseData();
    List<MetadataRecord> records = new ArrayList<>();
    Set<String> duplicates = duplicates(request.resources().stream()
        .map(r -> key(r.resourceType(), r.resourceName())).toList());
    Set<String> reported = new HashSet<>();
    for (AlterConfigsRequestData.AlterConfigsResource resource : request.resources()) {
      String key = key(resource.resourceType(), resource.resourceName());
      if (duplicates.contains(key) && !reported.add(key)) {
        continue;
      }
      ApiError error = duplicates.contains(key) ? new ApiError(Errors.INVALID_REQUEST, "Duplicate resource.")
          : decide(image, resource.resourceType(), resource.resourceName(),
              (target, desired) -> replaceAll(target, resource.configs(), desired), records);
      var result = new AlterConfigsResponseData.AlterConfigsResourceResponse()
          .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
      if (error != null) {
        result.setErrorCode(error.error().code()).setErrorMessage(error.message());
      }
      response.responses().add(result);
    }
    return new ControllerResult<>(request.validateOnly() ? List.of() : records, response);
  }

  private static String key(byte type, String name) {
    return type + "/" + name;
  }

  private static Set<String> duplicates(List<String> keys) {
    Set<String> seen = new HashSet<>();
    Set<String> duplicates = new HashSet<>();
    for (String k : keys) {
      if (!seen.add(k)) {
        duplicates.add(k);
      }
    }
    return duplicates;
  }

  /** Resolves the resource, applies the edit, checks the result and adds the differences to {@code out}. */
  private ApiError decide(MetadataImage image, byte resourceType, String name, Edit edit, List<MetadataRecord> out) {
    ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
    Target target;
    if (type == ConfigResource.Type.TOPIC) {
      TopicImage topic = name == null ? null : image.topic(name);
      if (topic == null) {
        return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + name + "' does not exist.");
      }
      target = new Target(ConfigRecord.ResourceType.TOPIC, name, topic.configs());
    } else if (type == ConfigResource.Type.BROKER) {
      if (name == null || !(name.isEmpty() || isBrokerId(name))) {
        return new ApiError(Errors.INVALID_REQUEST, "Invalid broker name '" + name + "'.");
      }
      target = new Target(ConfigRecord.ResourceType.BROKER, name, image.brokerConfigs(name));
    } else {
      return new ApiError(Errors.INVALID_REQUEST, "Unsupported resource type " + type + " for altering configs.");
    }
    Map<String, String> desired = new HashMap<>(target.current());
    ApiError error = edit.apply(target, desired);
    if (error != null) {
      return error;
    }
    if (target.type() == ConfigRecord.ResourceType.TOPIC) {
      // The effective topic config as every broker without its own dynamic overrides would build it.
      Map<String, String> effective = new HashMap<>(settings.topicConfigDefaults());
      effective.putAll(BrokerConfigKeys.toTopicConfigs(image.brokerConfigs("")));
      effective.putAll(desired);
      String reason = TopicConfigKeys.validateCombination(effective);
      if (reason != null) {
        return new ApiError(Errors.INVALID_CONFIG, reason);
      }
    }
    Set<String> keys = new TreeSet<>(target.current().keySet());
    keys.addAll(desired.keySet());
    for (String k : keys) {
      if (!Objects.equals(target.current().get(k), desired.get(k))) {
        out.add(new ConfigRecord(target.type(), target.name(), k, desired.get(k)));
      }
    }
    return null;
  }

  private ApiError incremental(Target target, IncrementalAlterConfigsRequestData.AlterableConfigCollection configs,
                               Map<String, String> desired) {
    Set<String> names = new HashSet<>();
    for (AlterableConfig c : configs) {
      if (!names.add(c.name())) {
        return new ApiError(Errors.INVALID_REQUEST, "Error due to duplicate config keys: " + c.name());
      }
    }
    for (AlterableConfig c : configs) {
      AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.configOperation());
      if (op == null) {
        return new ApiError(Errors.INVALID_REQUEST, "Unknown alter config operation " + c.configOperation());
      }
      ApiError error = checkName(target.type(), c.name());
      if (error != null) {
        return error;
      }
      if (op == AlterConfigOp.OpType.DELETE) {
        desired.remove(c.name());
        continue;
      }
      if (c.value() == null) {
        return new ApiError(Errors.INVALID_REQUEST, "Null value not supported for : " + c.name());
      }
      String newValue = c.value();
      if (op != AlterConfigOp.OpType.SET) {
        if (target.type() == ConfigRecord.ResourceType.BROKER) {
          // The controller does not know a broker's static value, the base APPEND/SUBTRACT would need.
          return new ApiError(Errors.INVALID_REQUEST, op + " is not supported for broker configs.");
        }
        if (!TopicConfigKeys.isList(c.name())) {
          return new ApiError(Errors.INVALID_CONFIG, "Config " + c.name()
              + " is not a list, so it does not support " + op + ".");
        }
        String base = desired.containsKey(c.name()) ? desired.get(c.name())
            : settings.topicConfigDefaults().get(c.name());
        Set<String> items = new LinkedHashSet<>(TopicConfigKeys.splitList(base));
        List<String> operand = TopicConfigKeys.splitList(c.value());
        if (op == AlterConfigOp.OpType.APPEND) {
          items.addAll(operand);
        } else {
          operand.forEach(items::remove);
        }
        newValue = String.join(",", items);
      }
      error = checkValue(target.type(), c.name(), newValue);
      if (error != null) {
        return error;
      }
      desired.put(c.name(), newValue);
    }
    return null;
  }

  /** Legacy AlterConfigs: the request is the whole new set; a null value means "not set", as in Kafka. */
  private ApiError replaceAll(Target target, AlterConfigsRequestData.AlterableConfigCollection configs,
                              Map<String, String> desired) {
    Set<String> names = new HashSet<>();
    for (AlterConfigsRequestData.AlterableConfig c : configs) {
      if (!names.add(c.name())) {
        return new ApiError(Errors.INVALID_REQUEST, "Error due to duplicate config keys: " + c.name());
      }
    }
    desired.clear();
    for (AlterConfigsRequestData.AlterableConfig c : configs) {
      ApiError error = checkName(target.type(), c.name());
      if (error == null && c.value() != null) {
        error = checkValue(target.type(), c.name(), c.value());
      }
      if (error != null) {
        return error;
      }
      if (c.value() != null) {
        desired.put(c.name(), c.value());
      }
    }
    return null;
  }

  private ApiError checkName(ConfigRecord.ResourceType type, String key) {
    if (type == ConfigRecord.ResourceType.TOPIC) {
      if (key == null || !settings.topicConfigKeys().contains(key)) {
        return new ApiError(Errors.INVALID_CONFIG, "Unknown topic config name: " + key);
      }
      return null;
    }
    if (key != null && settings.brokerConfigKeys().contains(key)) {
      return null;
    }
    if (key != null && BrokerConfigKeys.READ_ONLY.contains(key)) {
      return new ApiError(Errors.INVALID_CONFIG, "Cannot update broker config " + key
          + " dynamically: it is read-only, set it in server.properties");
    }
    return new ApiError(Errors.INVALID_CONFIG, "Unknown broker config name: " + key);
  }

  private ApiError checkValue(ConfigRecord.ResourceType type, String key, String value) {
    ConfigValidator validator = type == ConfigRecord.ResourceType.TOPIC
        ? settings.topicConfigValidator() : settings.brokerConfigValidator();
    String reason = validator.validate(key, value);
    if (reason != null) {
      return new ApiError(Errors.INVALID_CONFIG, "Invalid value " + value + " for configuration " + key + ": "
          + reason);
    }
    return null;
  }

  private static boolean isBrokerId(String name) {
    try {
      return Integer.parseInt(name) >= 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
