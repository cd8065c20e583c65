package io.tributary.metadata;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * Decides IncrementalAlterConfigs for TOPIC resources (SET, DELETE, APPEND, SUBTRACT) and BROKER resources
 * (SET, DELETE; name "" is the cluster-wide default). A resource's operations are all-or-nothing; resources are
 * independent of each other. Only real changes become records, so re-setting a value writes nothing.
 */
final class ConfigChanges {
  private final ControllerSettings settings;

  ConfigChanges(ControllerSettings settings) {
    this.settings = settings;
  }

  ControllerResult<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(
      MetadataImage image, IncrementalAlterConfigsRequestData request) {
    IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
    Set<String> seen = new HashSet<>();
    Set<String> duplicates = new HashSet<>();
    for (AlterConfigsResource r : request.resources()) {
      String key = r.resourceType() + "/" + r.resourceName();
      if (!seen.add(key)) {
        duplicates.add(key);
      }
    }
    Set<String> reported = new HashSet<>();
    List<MetadataRecord> records = new ArrayList<>();
    for (AlterConfigsResource resource : request.resources()) {
      AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
          .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
      String key = resource.resourceType() + "/" + resource.resourceName();
      ApiError error;
      if (duplicates.contains(key)) {
        if (!reported.add(key)) {
          continue;
        }
        error = new ApiError(Errors.INVALID_REQUEST, "Duplicate resource.");
      } else {
        List<MetadataRecord> resourceRecords = new ArrayList<>();
        error = alter(image, resource, resourceRecords);
        if (error == null) {
          records.addAll(resourceRecords);
        }
      }
      if (error != null) {
        result.setErrorCode(error.error().code()).setErrorMessage(error.message());
      }
      response.responses().add(result);
    }
    return new ControllerResult<>(request.validateOnly() ? List.of() : records, response);
  }

  private ApiError alter(MetadataImage image, AlterConfigsResource resource, List<MetadataRecord> out) {
    ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
    String name = resource.resourceName();
    Map<String, String> current;
    ConfigRecord.ResourceType recordType;
    if (type == ConfigResource.Type.TOPIC) {
      TopicImage topic = name == null ? null : image.topic(name);
      if (topic == null) {
        return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + name + "' does not exist.");
      }
      current = topic.configs();
      recordType = ConfigRecord.ResourceType.TOPIC;
    } else if (type == ConfigResource.Type.BROKER) {
      if (name == null || !(name.isEmpty() || isBrokerId(name))) {
        return new ApiError(Errors.INVALID_REQUEST, "Invalid broker name '" + name + "'.");
      }
      current = image.brokerConfigs(name);
      recordType = ConfigRecord.ResourceType.BROKER;
    } else {
      return new ApiError(Errors.INVALID_REQUEST, "Unsupported resource type " + type + " for altering configs.");
    }
    Set<String> keys = new HashSet<>();
    for (AlterableConfig c : resource.configs()) {
      if (!keys.add(c.name())) {
        return new ApiError(Errors.INVALID_REQUEST, "Error due to duplicate config keys: " + c.name());
      }
    }
    Map<String, String> changes = new LinkedHashMap<>();
    for (AlterableConfig c : resource.configs()) {
      ApiError error = recordType == ConfigRecord.ResourceType.TOPIC
          ? alterTopicConfig(current, c, changes) : alterBrokerConfig(c, changes);
      if (error != null) {
        return error;
      }
    }
    changes.forEach((k, v) -> {
      if (!Objects.equals(current.get(k), v)) {
        out.add(new ConfigRecord(recordType, name, k, v));
      }
    });
    return null;
  }

  private ApiError alterTopicConfig(Map<String, String> current, AlterableConfig c, Map<String, String> changes) {
    AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.configOperation());
    if (op == null) {
      return new ApiError(Errors.INVALID_REQUEST, "Unknown alter config operation " + c.configOperation());
    }
    String key = c.name();
    if (key == null || !settings.topicConfigKeys().contains(key)) {
      return new ApiError(Errors.INVALID_CONFIG, "Unknown topic config name: " + key);
    }
    String newValue;
    switch (op) {
      case SET:
        if (c.value() == null) {
          return new ApiError(Errors.INVALID_REQUEST, "Null value not supported for : " + key);
        }
        newValue = c.value();
        break;
      case DELETE:
        changes.put(key, null);
        return null;
      default: {
        if (!TopicConfigKeys.isList(key)) {
          return new ApiError(Errors.INVALID_CONFIG, "Config " + key + " is not a list, so it does not support "
              + op + ".");
        }
        if (c.value() == null) {
          return new ApiError(Errors.INVALID_REQUEST, "Null value not supported for : " + key);
        }
        String base = current.containsKey(key) ? current.get(key) : settings.topicConfigDefaults().get(key);
        Set<String> items = new LinkedHashSet<>(TopicConfigKeys.splitList(base));
        List<String> operand = TopicConfigKeys.splitList(c.value());
        if (op == AlterConfigOp.OpType.APPEND) {
          items.addAll(operand);
        } else {
          operand.forEach(items::remove);
        }
        newValue = String.join(",", items);
      }
    }
    String reason = settings.topicConfigValidator().validate(key, newValue);
    if (reason != null) {
      return new ApiError(Errors.INVALID_CONFIG,
          "Invalid value " + newValue + " for configuration " + key + ": " + reason);
    }
    changes.put(key, newValue);
    return null;
  }

  private ApiError alterBrokerConfig(AlterableConfig c, Map<String, String> changes) {
    AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.configOperation());
    if (op == null) {
      return new ApiError(Errors.INVALID_REQUEST, "Unknown alter config operation " + c.configOperation());
    }
    String key = c.name();
    if (key == null || !settings.brokerConfigKeys().contains(key)) {
      return new ApiError(Errors.INVALID_CONFIG, "Unknown or read-only broker config name: " + key);
    }
    if (op == AlterConfigOp.OpType.DELETE) {
      changes.put(key, null);
      return null;
    }
    if (op != AlterConfigOp.OpType.SET) {
      return new ApiError(Errors.INVALID_REQUEST, op + " is not supported for broker configs.");
    }
    if (c.value() == null) {
      return new ApiError(Errors.INVALID_REQUEST, "Null value not supported for : " + key);
    }
    String reason = settings.brokerConfigValidator().validate(key, c.value());
    if (reason != null) {
      return new ApiError(Errors.INVALID_CONFIG,
          "Invalid value " + c.value() + " for configuration " + key + ": " + reason);
    }
    changes.put(key, c.value());
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
