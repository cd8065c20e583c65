package io.tributary.metadata;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignmentCollection;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfigCollection;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;

/** Terse builders for the Kafka request messages used by the controller tests. */
final class ControllerTestSupport {
  private ControllerTestSupport() {
  }

  static CreatableTopic topic(String name, int partitions, int replicationFactor) {
    return new CreatableTopic().setName(name).setNumPartitions(partitions)
        .setReplicationFactor((short) replicationFactor);
  }

  static CreatableTopic withConfigs(CreatableTopic topic, Map<String, String> configs) {
    CreatableTopicConfigCollection c = new CreatableTopicConfigCollection();
    configs.forEach((k, v) -> c.add(new CreatableTopicConfig().setName(k).setValue(v)));
    return topic.setConfigs(c);
  }

  static CreatableTopic withAssignments(CreatableTopic topic, List<List<Integer>> assignments) {
    CreatableReplicaAssignmentCollection c = new CreatableReplicaAssignmentCollection();
    for (int p = 0; p < assignments.size(); p++) {
      c.add(new CreatableReplicaAssignment().setPartitionIndex(p).setBrokerIds(assignments.get(p)));
    }
    return topic.setAssignments(c);
  }

  static CreateTopicsRequestData createTopics(CreatableTopic... topics) {
    // The generated collection refuses duplicate keys, but the wire format allows them: add via the multi-collection.
    CreateTopicsRequestData.CreatableTopicCollection c = new CreateTopicsRequestData.CreatableTopicCollection();
    for (CreatableTopic t : topics) {
      c.mustAdd(t.duplicate());
    }
    return new CreateTopicsRequestData().setTopics(c).setTimeoutMs(30_000);
  }

  static CreatePartitionsRequestData createPartitions(String topic, int count, List<List<Integer>> assignments) {
    CreatePartitionsRequestData.CreatePartitionsTopicCollection c =
        new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
    c.mustAdd(new CreatePartitionsTopic().setName(topic).setCount(count).setAssignments(assignments == null ? null
        : assignments.stream().map(a -> new CreatePartitionsAssignment().setBrokerIds(a)).toList()));
    return new CreatePartitionsRequestData().setTopics(c);
  }

  static AlterableConfig op(String key, AlterConfigOp.OpType op, String value) {
    return new AlterableConfig().setName(key).setConfigOperation(op.id()).setValue(value);
  }

  static AlterConfigsResource resource(ConfigResource.Type type, String name, AlterableConfig... ops) {
    IncrementalAlterConfigsRequestData.AlterableConfigCollection c =
        new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
    for (AlterableConfig o : ops) {
      c.mustAdd(o.duplicate());
    }
    return new AlterConfigsResource().setResourceType(type.id()).setResourceName(name).setConfigs(c);
  }

  static IncrementalAlterConfigsRequestData alter(AlterConfigsResource... resources) {
    IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection c =
        new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
    for (AlterConfigsResource r : resources) {
      c.mustAdd(r.duplicate());
    }
    return new IncrementalAlterConfigsRequestData().setResources(c);
  }
}
