package io.tributary.broker.group;

import io.tributary.broker.group.CoordinatorRecord.GroupRecord;
import io.tributary.broker.group.CoordinatorRecord.OffsetRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets: OffsetCommit with Kafka's generation fencing, OffsetFetch, OffsetDelete, and the expiry of
 * offsets of groups that have been empty for offsets.retention.minutes. Runs under the shard's lock.
 */
final class OffsetManager {
    private static final Logger log = LoggerFactory.getLogger(OffsetManager.class);
    private static final String CONSUMER_PROTOCOL_TYPE = ConsumerProtocol.PROTOCOL_TYPE;

    private final CoordinatorShard shard;
    private final Membership membership;

    OffsetManager(CoordinatorShard shard, Membership membership) {
        this.shard = shard;
        this.membership = membership;
    }

    /** Commits offsets; the request's topics carry names (the API layer resolved v10 topic ids). */
    OffsetCommitResponseData commit(OffsetCommitRequestData request, short version) {
        String groupId = request.groupId();
        Errors error = validateCommit(request, version);
        Group group = shard.state.group(groupId);
        if (error == Errors.NONE && group != null && group.member(request.memberId()) != null
                && (group.state() == GroupState.STABLE || group.state() == GroupState.PREPARING_REBALANCE)) {
            // Committing members are alive: in the classic protocol a commit also keeps the session.
            membership.touch(groupId, request.memberId(), group.member(request.memberId()).sessionTimeoutMs());
        }
        long nowMs = shard.time.milliseconds();
        long expireTimestampMs = version <= 4 && request.retentionTimeMs() >= 0 ? nowMs + request.retentionTimeMs() : -1L;
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        List<CoordinatorRecord> records = new ArrayList<>();
        List<OffsetCommitResponseData.OffsetCommitResponsePartition> written = new ArrayList<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic topicResponse =
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(topic.name()).setTopicId(topic.topicId());
            response.topics().add(topicResponse);
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                OffsetCommitResponseData.OffsetCommitResponsePartition pr =
                        new OffsetCommitResponseData.OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
                topicResponse.partitions().add(pr);
                String metadata = p.committedMetadata() == null ? "" : p.committedMetadata();
                if (error != Errors.NONE) {
                    pr.setErrorCode(error.code());
                } else if (metadata.length() > shard.config.offsetMetadataMaxBytes()) {
                    pr.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                } else {
                    records.add(new OffsetRecord(groupId, new TopicPartition(topic.name(), p.partitionIndex()),
                            new CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(), metadata, nowMs,
                                    expireTimestampMs)));
                    written.add(pr);
                }
            }
        }
        if (!records.isEmpty()) {
            Errors appendError = shard.commit(records);
            if (appendError != Errors.NONE) {
                Errors mapped = commitError(appendError);
                written.forEach(pr -> pr.setErrorCode(mapped.code()));
            }
        }
        return response;
    }

    /**
     * Kafka's fencing: a commit from outside group management (generation -1, no member id) is accepted only while
     * the group is empty or does not exist yet; a member must be current and in the current generation, and not
     * between its JoinGroup and SyncGroup.
     */
    private Errors validateCommit(OffsetCommitRequestData request, short version) {
        Group group = shard.state.group(request.groupId());
        int generation = request.generationIdOrMemberEpoch();
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (group == null) {
            if (generation < 0) {
                return Errors.NONE;
            }
            return version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
        }
        if (group.isConsumerGroup()) {
            return ConsumerMembership.validateCommit(group.consumerGroup(), memberId, generation, version);
        }
        if (generation < 0 && group.state() == GroupState.EMPTY) {
            return Errors.NONE;
        }
        if (generation >= 0 || !memberId.isEmpty() || request.groupInstanceId() != null) {
            Errors error = Membership.validateMember(group, memberId, request.groupInstanceId());
            if (error != Errors.NONE) {
                return error;
            }
            if (generation != group.metadata().generationId()) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else if (group.state() != GroupState.EMPTY) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.state() == GroupState.COMPLETING_REBALANCE) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    private static Errors commitError(Errors appendError) {
        return switch (appendError) {
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.INVALID_COMMIT_OFFSET_SIZE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            default -> Errors.COORDINATOR_NOT_AVAILABLE;
        };
    }

    /**
     * The committed offsets of one group by topic name: the requested partitions (offset -1 where nothing is
     * committed), or every committed partition when {@code requested} is null. Offsets are returned whatever the
     * group's state, since groups that only commit (without group management) have no other state.
     */
    OffsetFetchResponseGroup fetch(String groupId, Map<String, List<Integer>> requested) {
        OffsetFetchResponseGroup response = new OffsetFetchResponseGroup().setGroupId(groupId);
        Group group = shard.state.group(groupId);
        Map<TopicPartition, CommittedOffset> offsets = group == null ? Map.of() : group.offsets();
        if (requested == null) {
            List<TopicPartition> all = new ArrayList<>(offsets.keySet());
            all.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            OffsetFetchResponseTopics topic = null;
            for (TopicPartition tp : all) {
                if (topic == null || !topic.name().equals(tp.topic())) {
                    topic = new OffsetFetchResponseTopics().setName(tp.topic());
                    response.topics().add(topic);
                }
                topic.partitions().add(partition(tp.partition(), offsets.get(tp)));
            }
            return response;
        }
        for (Map.Entry<String, List<Integer>> e : requested.entrySet()) {
            OffsetFetchResponseTopics topic = new OffsetFetchResponseTopics().setName(e.getKey());
            for (int p : e.getValue()) {
                topic.partitions().add(partition(p, offsets.get(new TopicPartition(e.getKey(), p))));
            }
            response.topics().add(topic);
        }
        return response;
    }

    private static OffsetFetchResponsePartitions partition(int index, CommittedOffset offset) {
        OffsetFetchResponsePartitions p = new OffsetFetchResponsePartitions().setPartitionIndex(index);
        if (offset == null) {
            return p.setCommittedOffset(-1L).setCommittedLeaderEpoch(-1).setMetadata("");
        }
        return p.setCommittedOffset(offset.offset()).setCommittedLeaderEpoch(offset.leaderEpoch())
                .setMetadata(offset.metadata());
    }

    /**
     * Deletes offsets of an empty group, or of topics a live consumer group does not subscribe to
     * (GROUP_SUBSCRIBED_TO_TOPIC otherwise); other live groups refuse with NON_EMPTY_GROUP.
     */
    OffsetDeleteResponseData delete(OffsetDeleteRequestData request) {
        OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        String groupId = request.groupId();
        Group group = shard.state.group(groupId);
        if (group == null) {
            return response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
        }
        Set<String> subscribed;
        if (group.isConsumerGroup() && !group.consumerGroup().members().isEmpty()) {
            subscribed = ConsumerGroupDescriptions.subscribedTopics(group.consumerGroup());
        } else if (group.state() == GroupState.EMPTY) {
            subscribed = Set.of();
        } else if (CONSUMER_PROTOCOL_TYPE.equals(group.metadata().protocolType())) {
            subscribed = subscribedTopics(group);
        } else {
            return response.setErrorCode(Errors.NON_EMPTY_GROUP.code());
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        List<OffsetDeleteResponseData.OffsetDeleteResponsePartition> deleted = new ArrayList<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : request.topics()) {
            OffsetDeleteResponseData.OffsetDeleteResponseTopic tr =
                    new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(topic.name());
            boolean inUse = subscribed == null || subscribed.contains(topic.name());
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : topic.partitions()) {
                OffsetDeleteResponseData.OffsetDeleteResponsePartition pr =
                        new OffsetDeleteResponseData.OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex());
                if (inUse) {
                    pr.setErrorCode(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
                } else {
                    TopicPartition tp = new TopicPartition(topic.name(), p.partitionIndex());
                    if (group.offsets().containsKey(tp)) {
                        records.add(new OffsetRecord(groupId, tp, null));
                    }
                    deleted.add(pr);
                }
                tr.partitions().add(pr);
            }
            response.topics().add(tr);
        }
        Errors error = shard.commit(records);
        if (error != Errors.NONE) {
            return new OffsetDeleteResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        return response;
    }

    /**
     * The topics the members of a consumer-protocol group subscribe to, from their subscriptions for the chosen
     * protocol; null (meaning "assume every topic") if that cannot be told.
     */
    private static Set<String> subscribedTopics(Group group) {
        String protocol = group.metadata().protocolName();
        if (protocol == null) {
            return null;
        }
        Set<String> topics = new HashSet<>();
        try {
            for (MemberMetadata m : group.members().values()) {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(m.metadataFor(protocol).get())).topics());
            }
        } catch (RuntimeException e) {
            return null;
        }
        return topics;
    }

    // ------------------------------------------------------------------ expiry

    void scheduleExpiry() {
        shard.schedule(shard.config.offsetsRetentionCheckIntervalMs(), () -> {
            expire();
            scheduleExpiry();
        });
    }

    /**
     * Deletes offsets of empty groups older than offsets.retention.minutes, counted from when the group became empty
     * (from the commit for a group never managed here), or past an explicit v2-4 expiry. An empty group left with no
     * offsets is deleted too, as Kafka's cleanup does. Groups with members keep their offsets.
     */
    void expire() {
        long nowMs = shard.time.milliseconds();
        long retentionMs = shard.config.offsetsRetentionMs();
        for (Group group : new ArrayList<>(shard.state.groups())) {
            if (group.state() != GroupState.EMPTY || !group.members().isEmpty()
                    || !group.consumerGroup().members().isEmpty()
                    || shard.existingRuntime(group.groupId()) != null && !shard.existingRuntime(group.groupId()).pendingMembers.isEmpty()) {
                continue;
            }
            long emptySinceMs = group.metadata().stateTimestampMs();
            List<CoordinatorRecord> records = new ArrayList<>();
            for (Map.Entry<TopicPartition, CommittedOffset> e : group.offsets().entrySet()) {
                CommittedOffset o = e.getValue();
                boolean expired = o.expireTimestampMs() >= 0
                        ? nowMs >= o.expireTimestampMs()
                        : nowMs - (emptySinceMs >= 0 ? emptySinceMs : o.commitTimestampMs()) >= retentionMs;
                if (expired) {
                    records.add(new OffsetRecord(group.groupId(), e.getKey(), null));
                }
            }
            int expiredCount = records.size();
            boolean noOffsetsLeft = records.size() == group.offsets().size();
            if (noOffsetsLeft && group.hasMetadataRecord()) {
                records.add(new GroupRecord(group.groupId(), null));
            }
            if (noOffsetsLeft) {
                records.addAll(ConsumerMembership.tombstones(group.groupId(), group.consumerGroup()));
            }
            if (!records.isEmpty()) {
                if (shard.commit(records) == Errors.NONE) {
                    log.info("Expired {} offsets of empty group {}{}", expiredCount,
                            group.groupId(), noOffsetsLeft ? " and deleted the group" : "");
                    shard.dropRuntimeIfIdle(group.groupId());
                }
            }
        }
    }
}
