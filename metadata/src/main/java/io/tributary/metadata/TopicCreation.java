package io.tributary.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * Decides CreateTopics and CreatePartitions with Kafka's semantics: every topic is validated on its own, and a
 * request produces one atomic batch holding all the topics (or partitions) that passed. Pure: reads the image,
 * returns records plus the response, performs no I/O.
 */
final class TopicCreation {
  /**
   * Bounds the partitions one request may create: an absurd count (Integer.MAX_VALUE) must be refused, not
   * attempted, and a Raft entry holds the whole request. At ~30-50 bytes per PartitionRecord this keeps an entry
   * well below Ratis' 4 MB append limit (raft.server.log.appender.buffer.byte-limit), so followers can take it.
   */
  static final int MAX_PARTITIONS_PER_REQUEST = 50_000;

  private final ControllerSettings settings;
  private final Random random;

  TopicCreation(ControllerSettings settings, Random random) {
    this.settings = settings;
    this.random = random;
  }

  ControllerResult<CreateTopicsResponseData> createTopics(MetadataImage image, CreateTopicsRequestData request) {
    CreateTopicsResponseData response = new CreateTopicsResponseData();
    Set<String> duplicates = duplicateNames(request.topics().stream().map(CreatableTopic::name).toList());
    Set<String> reportedDuplicates = new HashSet<>();
    List<MetadataRecord> records = new ArrayList<>();
    // Names created earlier in this request, unified ('.' == '_'), so two colliding new topics cannot both pass.
    Map<String, String> createdUnified = new HashMap<>();
    Set<Uuid> newIds = new HashSet<>();
    int partitionBudget = MAX_PARTITIONS_PER_REQUEST;
    for (CreatableTopic topic : request.topics()) {
      CreatableTopicResult result = new CreatableTopicResult().setName(topic.name());
      if (duplicates.contains(topic.name())) {
        if (reportedDuplicates.add(topic.name())) {
          response.topics().add(fail(result, new ApiError(Errors.INVALID_REQUEST, "Duplicate topic name.")));
        }
        continue;
      }
      List<MetadataRecord> topicRecords = new ArrayList<>();
      ApiError error = createTopic(image, topic, createdUnified, newIds, partitionBudget, topicRecords, result);
      if (error != null) {
        response.topics().add(fail(result, error));
        continue;
      }
      partitionBudget -= result.numPartitions();
      createdUnified.put(Topic.unifyCollisionChars(topic.name()), topic.name());
      records.addAll(topicRecords);
      response.topics().add(result);
    }
    return new ControllerResult<>(request.validateOnly() ? List.of() : records, response);
  }

  private static CreatableTopicResult fail(CreatableTopicResult result, ApiError error) {
    return result.setErrorCode(error.error().code()).setErrorMessage(error.message())
        .setTopicId(Uuid.ZERO_UUID).setNumPartitions(-1).setReplicationFactor((short) -1);
  }

  private ApiError createTopic(MetadataImage image, CreatableTopic topic, Map<String, String> createdUnified,
                               Set<Uuid> newIds, int partitionBudget, List<MetadataRecord> out,
                               CreatableTopicResult result) {
    String name = topic.name();
    if (name == null) {
      return new ApiError(Errors.INVALID_TOPIC_EXCEPTION, "Topic name must not be null");
    }
    try {
      Topic.validate(name);
    } catch (InvalidTopicException e) {
      return new ApiError(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
    }
    if (image.topic(name) != null) {
      return new ApiError(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
    }
    String collision = collidingTopic(image, name, createdUnified);
    if (collision != null) {
      return new ApiError(Errors.INVALID_TOPIC_EXCEPTION,
          "Topic '" + name + "' collides with existing topic: " + collision);
    }
    Set<Integer> registered = image.brokers().keySet();
    List<int[]> assignments;
    if (!topic.assignments().isEmpty()) {
      if (topic.numPartitions() != -1 || topic.replicationFactor() != -1) {
        return new ApiError(Errors.INVALID_REQUEST, "A manual partition assignment was specified, but "
            + "numPartitions or replicationFactor was not set to -1.");
      }
      if (topic.assignments().size() > partitionBudget) {
        return tooManyPartitions(topic.assignments().size());
      }
      Map<Integer, int[]> byPartition = new TreeMap<>();
      int expectedReplicas = -1;
      for (CreatableReplicaAssignment a : topic.assignments()) {
        ApiError error = ReplicaAssignments.validate(a.brokerIds(), registered, expectedReplicas);
        if (error != null) {
          return error;
        }
        expectedReplicas = a.brokerIds().size();
        byPartition.put(a.partitionIndex(), ReplicaAssignments.toArray(a.brokerIds()));
      }
      int expected = 0;
      for (int p : byPartition.keySet()) {
        if (p != expected++) {
          return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT,
              "Partitions should be a consecutive 0-based integer sequence");
        }
      }
      if (byPartition.size() != topic.assignments().size()) {
        return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "A partition was assigned more than once.");
      }
      assignments = new ArrayList<>(byPartition.values());
    } else {
      int numPartitions = topic.numPartitions() == -1 ? settings.defaultNumPartitions() : topic.numPartitions();
      if (numPartitions <= 0) {
        return new ApiError(Errors.INVALID_PARTITIONS,
            "Number of partitions was set to an invalid non-positive value.");
      }
      if (numPartitions > partitionBudget) {
        return tooManyPartitions(numPartitions);
      }
      int replicationFactor = topic.replicationFactor() == -1
          ? settings.defaultReplicationFactor() : topic.replicationFactor();
      if (replicationFactor <= 0) {
        return new ApiError(Errors.INVALID_REPLICATION_FACTOR,
            "Replication factor must be larger than 0, or -1 to use the default value.");
      }
      List<Integer> brokers = image.usableBrokerIds();
      ApiError error = ReplicaAssignments.checkReplicationFactor(replicationFactor, brokers.size());
      if (error != null) {
        return error;
      }
      assignments = ReplicaAssignments.place(brokers, numPartitions, replicationFactor,
          random.nextInt(brokers.size()));
    }
    Map<String, String> configs = new TreeMap<>();
    for (CreatableTopicConfig c : topic.configs()) {
      ApiError error = validateConfig(c.name(), c.value());
      if (error != null) {
        return error;
      }
      if (configs.put(c.name(), c.value()) != null) {
        return new ApiError(Errors.INVALID_CONFIG, "Duplicate configuration key " + c.name());
      }
    }
    Uuid id = newTopicId(image, newIds);
    out.add(new TopicRecord(name, id));
    for (int p = 0; p < assignments.size(); p++) {
      int[] replicas = assignments.get(p);
      out.add(new PartitionRecord(id, p, replicas, replicas, replicas[0], 0, 0));
    }
    configs.forEach((k, v) -> out.add(new ConfigRecord(ConfigRecord.ResourceType.TOPIC, name, k, v)));
    result.setErrorCode(Errors.NONE.code()).setErrorMessage(null).setTopicId(id).setNumPartitions(assignments.size())
        .setReplicationFactor((short) assignments.get(0).length).setConfigs(effectiveConfigs(configs));
    return null;
  }

  private ApiError validateConfig(String key, String value) {
    if (key == null || !settings.topicConfigKeys().contains(key)) {
      return new ApiError(Errors.INVALID_CONFIG, "Unknown topic config name: " + key);
    }
    if (value == null) {
      return new ApiError(Errors.INVALID_CONFIG, "Null value not supported for topic configs: " + key);
    }
    String reason = settings.topicConfigValidator().validate(key, value);
    return reason == null ? null
        : new ApiError(Errors.INVALID_CONFIG, "Invalid value " + value + " for configuration " + key + ": " + reason);
  }

  /** Every known config with the value the topic will actually use, as Kafka reports from CreateTopics v5. */
  private List<CreatableTopicConfigs> effectiveConfigs(Map<String, String> overrides) {
    Map<String, String> effective = new TreeMap<>(settings.topicConfigDefaults());
    effective.putAll(overrides);
    List<CreatableTopicConfigs> out = new ArrayList<>(effective.size());
    effective.forEach((k, v) -> out.add(new CreatableTopicConfigs().setName(k).setValue(v).setReadOnly(false)
        .setIsSensitive(false)
        .setConfigSource((overrides.containsKey(k) ? ConfigSource.TOPIC_CONFIG : ConfigSource.DEFAULT_CONFIG).id())));
    return out;
  }

  private static String collidingTopic(MetadataImage image, String name, Map<String, String> createdUnified) {
    if (!Topic.hasCollisionChars(name)) {
      return null;
    }
    String unified = Topic.unifyCollisionChars(name);
    String inRequest = createdUnified.get(unified);
    if (inRequest != null) {
      return inRequest;
    }
    for (String existing : image.topicsByName().keySet()) {
      if (Topic.hasCollision(name, existing)) {
        return existing;
      }
    }
    return null;
  }

  private Uuid newTopicId(MetadataImage image, Set<Uuid> newIds) {
    while (true) {
      Uuid id = new Uuid(random.nextLong(), random.nextLong());
      // Kafka never hands out ids whose base64 form starts with '-' (they confuse command lines), nor reserved ones.
      if (!id.equals(Uuid.ZERO_UUID) && !id.equals(Uuid.METADATA_TOPIC_ID) && !id.toString().startsWith("-")
          && image.topic(id) == null && newIds.add(id)) {
        return id;
      }
    }
  }

  private static ApiError tooManyPartitions(int count) {
    return new ApiError(Errors.INVALID_PARTITIONS, "Creating " + count + " partitions would exceed the limit of "
        + MAX_PARTITIONS_PER_REQUEST + " new partitions per request.");
  }

  ControllerResult<CreatePartitionsResponseData> createPartitions(MetadataImage image,
                                                                  CreatePartitionsRequestData request) {
    CreatePartitionsResponseData response = new CreatePartitionsResponseData();
    Set<String> duplicates = duplicateNames(request.topics().stream().map(CreatePartitionsTopic::name).toList());
    Set<String> reportedDuplicates = new HashSet<>();
    List<MetadataRecord> records = new ArrayList<>();
    int partitionBudget = MAX_PARTITIONS_PER_REQUEST;
    for (CreatePartitionsTopic topic : request.topics()) {
      CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name());
      if (duplicates.contains(topic.name())) {
        if (reportedDuplicates.add(topic.name())) {
          response.results().add(result.setErrorCode(Errors.INVALID_REQUEST.code())
              .setErrorMessage("Duplicate topic name."));
        }
        continue;
      }
      List<MetadataRecord> topicRecords = new ArrayList<>();
      ApiError error = createPartitions(image, topic, partitionBudget, topicRecords);
      if (error != null) {
        result.setErrorCode(error.error().code()).setErrorMessage(error.message());
      } else {
        partitionBudget -= topicRecords.size();
        records.addAll(topicRecords);
      }
      response.results().add(result);
    }
    return new ControllerResult<>(request.validateOnly() ? List.of() : records, response);
  }

  private ApiError createPartitions(MetadataImage image, CreatePartitionsTopic request, int partitionBudget,
                                    List<MetadataRecord> out) {
    TopicImage topic = image.topic(request.name());
    if (topic == null) {
      return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + request.name() + "' does not exist.");
    }
    int current = topic.numPartitions();
    if (request.count() < current) {
      return new ApiError(Errors.INVALID_PARTITIONS, "The topic " + topic.name() + " currently has " + current
          + " partition(s); " + request.count() + " would not be an increase.");
    }
    if (request.count() == current) {
      return new ApiError(Errors.INVALID_PARTITIONS, "Topic already has " + current + " partition(s).");
    }
    int additional = request.count() - current;
    if (additional > partitionBudget) {
      return tooManyPartitions(additional);
    }
    int replicationFactor = topic.partitions().values().iterator().next().replicationFactor();
    List<int[]> assignments;
    if (request.assignments() != null) {
      if (request.assignments().size() != additional) {
        return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "Attempted to add " + additional
            + " additional partition(s), but only " + request.assignments().size() + " assignment(s) were specified.");
      }
      assignments = new ArrayList<>();
      for (CreatePartitionsAssignment a : request.assignments()) {
        ApiError error = ReplicaAssignments.validate(a.brokerIds(), image.brokers().keySet(), replicationFactor);
        if (error != null) {
          return error;
        }
        assignments.add(ReplicaAssignments.toArray(a.brokerIds()));
      }
    } else {
      List<Integer> brokers = image.usableBrokerIds();
      ApiError error = ReplicaAssignments.checkReplicationFactor(replicationFactor, brokers.size());
      if (error != null) {
        return error;
      }
      assignments = ReplicaAssignments.place(brokers, additional, replicationFactor,
          random.nextInt(brokers.size()));
    }
    for (int i = 0; i < additional; i++) {
      int[] replicas = assignments.get(i);
      out.add(new PartitionRecord(topic.id(), current + i, replicas, replicas, replicas[0], 0, 0));
    }
    return null;
  }

  static Set<String> duplicateNames(List<String> names) {
    Set<String> seen = new HashSet<>();
    Set<String> duplicates = new LinkedHashSet<>();
    for (String n : names) {
      if (!seen.add(n)) {
        duplicates.add(n);
      }
    }
    return duplicates;
  }
}
