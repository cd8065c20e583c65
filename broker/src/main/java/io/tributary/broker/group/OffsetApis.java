package io.tributary.broker.group;

import io.tributary.broker.network.ApiHandler;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.TopicImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetCommit (v2+), OffsetFetch (v1+) and OffsetDelete. Offsets are stored by topic name; v10 requests carry
 * topic ids, which are resolved through the metadata image on the way in (an unknown id gets UNKNOWN_TOPIC_ID) and
 * put back on the way out. OffsetFetch's require_stable needs no waiting: there are no pending transactional offsets.
 * From v9 a consumer-group member fetches under its member id and epoch, which must be current.
 */
public final class OffsetApis {
    private OffsetApis() {
    }

    public static ApiHandler offsetCommit(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            OffsetCommitRequestData request = (OffsetCommitRequestData) message;
            short version = context.apiVersion();
            boolean usesTopicIds = version >= 10;
            OffsetCommitResponseData unresolved = new OffsetCommitResponseData();
            OffsetCommitRequestData byName = request;
            if (usesTopicIds) {
                MetadataImage image = coordinator.image();
                byName = new OffsetCommitRequestData().setGroupId(request.groupId())
                        .setGenerationIdOrMemberEpoch(request.generationIdOrMemberEpoch()).setMemberId(request.memberId())
                        .setGroupInstanceId(request.groupInstanceId()).setRetentionTimeMs(request.retentionTimeMs());
                for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
                    TopicImage topic = image.topicsById().get(t.topicId());
                    if (topic == null) {
                        unresolved.topics().add(commitErrors(t, Errors.UNKNOWN_TOPIC_ID));
                    } else {
                        byName.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                                .setName(topic.name()).setTopicId(t.topicId()).setPartitions(t.partitions()));
                    }
                }
            }
            OffsetCommitResponseData response;
            if (request.groupId() == null) {
                response = allErrors(byName, Errors.INVALID_GROUP_ID);
            } else {
                GroupCoordinator.Lookup lookup = coordinator.shardFor(request.groupId());
                response = lookup.error() != Errors.NONE ? allErrors(byName, lookup.error())
                        : lookup.shard().commitOffsets(byName, version);
            }
            response.topics().addAll(unresolved.topics());
            slot.complete(response);
        };
    }

    private static OffsetCommitResponseData allErrors(OffsetCommitRequestData request, Errors error) {
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        request.topics().forEach(t -> response.topics().add(commitErrors(t, error)));
        return response;
    }

    private static OffsetCommitResponseData.OffsetCommitResponseTopic commitErrors(
            OffsetCommitRequestData.OffsetCommitRequestTopic topic, Errors error) {
        OffsetCommitResponseData.OffsetCommitResponseTopic tr = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                .setName(topic.name()).setTopicId(topic.topicId());
        topic.partitions().forEach(p -> tr.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code())));
        return tr;
    }

    public static ApiHandler offsetFetch(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            OffsetFetchRequestData request = (OffsetFetchRequestData) message;
            short version = context.apiVersion();
            if (version >= 8) {
                OffsetFetchResponseData response = new OffsetFetchResponseData();
                for (OffsetFetchRequestData.OffsetFetchRequestGroup g : request.groups()) {
                    response.groups().add(fetchGroup(coordinator, g, version >= 10));
                }
                slot.complete(response);
                return;
            }
            Map<String, List<Integer>> requested = null;
            if (request.topics() != null) {
                requested = new LinkedHashMap<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : request.topics()) {
                    requested.computeIfAbsent(t.name(), k -> new ArrayList<>()).addAll(t.partitionIndexes());
                }
            }
            OffsetFetchResponseGroup group = fetch(coordinator, request.groupId(), null, -1, requested);
            slot.complete(toSingleGroupResponse(group, requested, version));
        };
    }

    private static OffsetFetchResponseGroup fetch(GroupCoordinator coordinator, String groupId, String memberId,
                                                  int memberEpoch, Map<String, List<Integer>> requested) {
        if (groupId == null) {
            return new OffsetFetchResponseGroup().setGroupId(groupId).setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        GroupCoordinator.Lookup lookup = coordinator.shardFor(groupId);
        if (lookup.error() != Errors.NONE) {
            return new OffsetFetchResponseGroup().setGroupId(groupId).setErrorCode(lookup.error().code());
        }
        return lookup.shard().fetchOffsets(groupId, memberId, memberEpoch, requested);
    }

    /** v8+: one group of the batch, by topic id from v10. */
    private static OffsetFetchResponseGroup fetchGroup(GroupCoordinator coordinator,
                                                       OffsetFetchRequestData.OffsetFetchRequestGroup g, boolean usesTopicIds) {
        MetadataImage image = coordinator.image();
        Map<String, List<Integer>> requested = null;
        Map<String, Uuid> requestedIds = new LinkedHashMap<>();
        List<OffsetFetchResponseTopics> unknownIds = new ArrayList<>();
        if (g.topics() != null) {
            requested = new LinkedHashMap<>();
            for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                String name = t.name();
                if (usesTopicIds) {
                    TopicImage topic = image.topicsById().get(t.topicId());
                    if (topic == null) {
                        OffsetFetchResponseTopics unknown = new OffsetFetchResponseTopics().setTopicId(t.topicId());
                        for (int p : t.partitionIndexes()) {
                            unknown.partitions().add(new OffsetFetchResponsePartitions().setPartitionIndex(p)
                                    .setCommittedOffset(-1L).setCommittedLeaderEpoch(-1).setMetadata("")
                                    .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                        }
                        unknownIds.add(unknown);
                        continue;
                    }
                    name = topic.name();
                    requestedIds.put(name, t.topicId());
                }
                requested.computeIfAbsent(name, k -> new ArrayList<>()).addAll(t.partitionIndexes());
            }
        }
        // v8 has no member fields: their defaults (null, -1) read as "not a member".
        OffsetFetchResponseGroup group = fetch(coordinator, g.groupId(), g.memberId(), g.memberEpoch(), requested);
        if (group.errorCode() != Errors.NONE.code()) {
            group.topics().clear();
            return group;
        }
        if (usesTopicIds) {
            List<OffsetFetchResponseTopics> withIds = new ArrayList<>();
            for (OffsetFetchResponseTopics t : group.topics()) {
                if (requested != null) {
                    withIds.add(t.setTopicId(requestedIds.get(t.name())));
                    continue;
                }
                TopicImage topic = image.topicsByName().get(t.name());
                // When listing all offsets, those of topics that no longer exist have no id to report them by.
                if (topic != null) {
                    withIds.add(t.setTopicId(topic.id()));
                }
            }
            withIds.addAll(unknownIds);
            group.setTopics(withIds);
        }
        return group;
    }

    /** v1-7 shape: one group at the top level; v1 has no top-level error, so it goes on every partition. */
    private static OffsetFetchResponseData toSingleGroupResponse(OffsetFetchResponseGroup group,
                                                                 Map<String, List<Integer>> requested, short version) {
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        Errors error = Errors.forCode(group.errorCode());
        if (error != Errors.NONE) {
            if (version >= 2) {
                return response.setErrorCode(error.code());
            }
            if (requested != null) {
                requested.forEach((name, partitions) -> {
                    OffsetFetchResponseData.OffsetFetchResponseTopic t = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(name);
                    for (int p : partitions) {
                        t.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(p)
                                .setCommittedOffset(-1L).setMetadata("").setErrorCode(error.code()));
                    }
                    response.topics().add(t);
                });
            }
            return response;
        }
        for (OffsetFetchResponseTopics t : group.topics()) {
            OffsetFetchResponseData.OffsetFetchResponseTopic topic = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
            for (OffsetFetchResponsePartitions p : t.partitions()) {
                OffsetFetchResponseData.OffsetFetchResponsePartition out = new OffsetFetchResponseData.OffsetFetchResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setCommittedOffset(p.committedOffset())
                        .setMetadata(p.metadata()).setErrorCode(p.errorCode());
                if (version >= 5) {
                    out.setCommittedLeaderEpoch(p.committedLeaderEpoch());
                }
                topic.partitions().add(out);
            }
            response.topics().add(topic);
        }
        return response;
    }

    public static ApiHandler offsetDelete(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            OffsetDeleteRequestData request = (OffsetDeleteRequestData) message;
            if (request.groupId() == null || request.groupId().isEmpty()) {
                slot.complete(new OffsetDeleteResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code()));
                return;
            }
            GroupCoordinator.Lookup lookup = coordinator.shardFor(request.groupId());
            slot.complete(lookup.error() != Errors.NONE
                    ? new OffsetDeleteResponseData().setErrorCode(lookup.error().code())
                    : lookup.shard().deleteOffsets(request));
        };
    }
}
