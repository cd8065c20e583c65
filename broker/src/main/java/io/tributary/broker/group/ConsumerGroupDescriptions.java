package io.tributary.broker.group;

import io.tributary.broker.group.ConsumerGroupValues.MemberSubscription;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.TopicImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.Errors;

/** ConsumerGroupDescribe of one group, as Kafka answers it. Runs under the shard's lock. */
final class ConsumerGroupDescriptions {
    /** ConsumerGroupDescribe v1's member type of a consumer-protocol member. */
    static final byte CONSUMER_MEMBER_TYPE = 1;

    private ConsumerGroupDescriptions() {
    }

    static DescribedGroup describe(CoordinatorState state, String groupId, MetadataImage image) {
        DescribedGroup described = new DescribedGroup().setGroupId(groupId);
        Group group = state.group(groupId);
        if (group == null || !group.isConsumerGroup()) {
            String message = group == null
                    ? "Group " + groupId + " not found." : "Group " + groupId + " is not a consumer group.";
            return described.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(message).setGroupState("");
        }
        ConsumerGroup cg = group.consumerGroup();
        Map<Uuid, String> names = new HashMap<>();
        cg.groupEpochValue().subscribedTopics().forEach((name, t) -> names.put(t.id(), name));
        described.setGroupState(cg.state().displayName()).setGroupEpoch(cg.groupEpoch())
                .setAssignmentEpoch(cg.targetEpoch())
                .setAssignorName(ConsumerMembership.assignorName(cg.members().values()));
        for (Map.Entry<String, MemberSubscription> e : cg.members().entrySet()) {
            MemberSubscription m = e.getValue();
            described.members().add(new ConsumerGroupDescribeResponseData.Member()
                    .setMemberId(e.getKey())
                    .setInstanceId(m.instanceId())
                    .setRackId(m.rackId())
                    .setMemberEpoch(cg.current(e.getKey()).memberEpoch())
                    .setClientId(m.clientId())
                    .setClientHost(m.clientHost())
                    .setSubscribedTopicNames(new ArrayList<>(m.topicNames()))
                    .setSubscribedTopicRegex(m.topicRegex())
                    .setAssignment(assignment(cg.current(e.getKey()).assigned(), names, image))
                    .setTargetAssignment(assignment(cg.target(e.getKey()), names, image))
                    .setMemberType(CONSUMER_MEMBER_TYPE));
        }
        return described;
    }

    private static ConsumerGroupDescribeResponseData.Assignment assignment(PartitionSet partitions, Map<Uuid, String> names,
                                                                           MetadataImage image) {
        ConsumerGroupDescribeResponseData.Assignment a = new ConsumerGroupDescribeResponseData.Assignment();
        partitions.byTopic().forEach((id, ps) -> {
            TopicImage topic = image.topic(id);
            String name = topic != null ? topic.name() : names.get(id);
            if (name != null) {
                a.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(id)
                        .setTopicName(name).setPartitions(new ArrayList<>(ps)));
            }
        });
        return a;
    }

    /** The topics a live consumer group subscribes to, for OffsetDelete. */
    static Set<String> subscribedTopics(ConsumerGroup cg) {
        return new HashSet<>(cg.groupEpochValue().subscribedTopics().keySet());
    }
}
