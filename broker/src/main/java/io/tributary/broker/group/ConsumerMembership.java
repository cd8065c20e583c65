package io.tributary.broker.group;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.tributary.broker.group.ConsumerGroupValues.CurrentAssignment;
import io.tributary.broker.group.ConsumerGroupValues.GroupEpoch;
import io.tributary.broker.group.ConsumerGroupValues.MemberSubscription;
import io.tributary.broker.group.ConsumerGroupValues.TopicMetadata;
import io.tributary.broker.group.ConsumerRecords.CurrentRecord;
import io.tributary.broker.group.ConsumerRecords.GroupEpochRecord;
import io.tributary.broker.group.ConsumerRecords.MemberRecord;
import io.tributary.broker.group.ConsumerRecords.TargetEpochRecord;
import io.tributary.broker.group.ConsumerRecords.TargetRecord;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.TopicImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer rebalance protocol (KIP-848) as a state machine over {@link ConsumerGroup}: ConsumerGroupHeartbeat
 * joins, heartbeats and leaves, with Kafka's epochs and errors.
 *
 * <p>A heartbeat is handled in one step: validate the member and its epoch, update its subscription, bump the group
 * epoch if the subscriptions or the subscribed topics changed, compute a new target assignment if the group epoch
 * moved past the target's, reconcile the member towards its target ({@link Reconciliation}), then commit all the
 * records as one batch and answer. Other members converge on their own next heartbeats. Sessions and revocation
 * deadlines are transient timers, re-armed from the durable state after a load. All methods run under the shard's
 * lock.
 */
final class ConsumerMembership {
    private static final Logger log = LoggerFactory.getLogger(ConsumerMembership.class);
    static final int LEAVE_GROUP_EPOCH = -1;
    static final int LEAVE_GROUP_STATIC_EPOCH = -2;

    private final CoordinatorShard shard;
    /** Session and revocation timers by (group, member). */
    private final Map<List<String>, Scheduler.Cancellable> sessionTimers = new HashMap<>();
    private final Map<List<String>, Scheduler.Cancellable> revocationTimers = new HashMap<>();
    /** Regex matches against one image; recomputed when the image changes (new topics are picked up then). */
    private MetadataImage matchedImage;
    private final Map<String, List<String>> regexMatches = new HashMap<>();

    ConsumerMembership(CoordinatorShard shard) {
        this.shard = shard;
    }

    ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData request, short version,
                                                 String clientId, String clientHost, MetadataImage image) {
        try {
            validate(request, version);
            if (request.memberEpoch() == LEAVE_GROUP_EPOCH || request.memberEpoch() == LEAVE_GROUP_STATIC_EPOCH) {
                return leave(request);
            }
            return joinOrHeartbeat(request, version, clientId, clientHost, image);
        } catch (ApiException e) {
            return error(Errors.forException(e), e.getMessage());
        }
    }

    static ConsumerGroupHeartbeatResponseData error(Errors error, String message) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(message);
    }

    private static void validate(ConsumerGroupHeartbeatRequestData r, short version) {
        if (r.groupId() == null || r.groupId().isEmpty()) {
            throw Errors.INVALID_REQUEST.exception("GroupId can't be empty.");
        }
        if (r.instanceId() != null && r.instanceId().isEmpty()) {
            throw Errors.INVALID_REQUEST.exception("InstanceId can't be empty.");
        }
        if (r.rackId() != null && r.rackId().isEmpty()) {
            throw Errors.INVALID_REQUEST.exception("RackId can't be empty.");
        }
        String memberId = r.memberId() == null ? "" : r.memberId();
        if (memberId.isEmpty() && (version >= 1 || r.memberEpoch() != 0)) {
            throw Errors.INVALID_REQUEST.exception("MemberId can't be empty.");
        }
        if (r.memberEpoch() == 0) {
            if (r.rebalanceTimeoutMs() == -1) {
                throw Errors.INVALID_REQUEST.exception("RebalanceTimeoutMs must be provided in first request.");
            }
            if (r.topicPartitions() == null || !r.topicPartitions().isEmpty()) {
                throw Errors.INVALID_REQUEST.exception("TopicPartitions must be empty when (re-)joining.");
            }
            if (r.subscribedTopicNames() == null && r.subscribedTopicRegex() == null) {
                throw Errors.INVALID_REQUEST.exception(
                        "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
            }
        } else if (r.memberEpoch() == LEAVE_GROUP_STATIC_EPOCH) {
            if (r.instanceId() == null) {
                throw Errors.INVALID_REQUEST.exception("InstanceId can't be null.");
            }
        } else if (r.memberEpoch() < LEAVE_GROUP_STATIC_EPOCH) {
            throw Errors.INVALID_REQUEST.exception("MemberEpoch is invalid.");
        }
        if (r.rebalanceTimeoutMs() < -1) {
            throw Errors.INVALID_REQUEST.exception("RebalanceTimeoutMs is invalid.");
        }
        if (r.subscribedTopicRegex() != null && !r.subscribedTopicRegex().isEmpty()) {
            try {
                Pattern.compile(r.subscribedTopicRegex());
            } catch (PatternSyntaxException e) {
                throw Errors.INVALID_REGULAR_EXPRESSION.exception("SubscribedTopicRegex `" + r.subscribedTopicRegex()
                        + "` is not a valid regular expression: " + e.getMessage() + ".");
            }
        }
        if (r.serverAssignor() != null && ConsumerAssignor.named(r.serverAssignor()) == null) {
            throw Errors.UNSUPPORTED_ASSIGNOR.exception("ServerAssignor " + r.serverAssignor() + " is not supported. "
                    + "Supported assignors: " + ConsumerAssignor.UNIFORM + ", " + ConsumerAssignor.RANGE + ".");
        }
    }

    /** The group as a consumer group, or null if it does not exist; a live classic group is refused. */
    private ConsumerGroup consumerGroup(String groupId) {
        Group group = shard.state.group(groupId);
        if (group == null) {
            return null;
        }
        if (!group.isConsumerGroup() && (!group.members().isEmpty() || group.state() != GroupState.EMPTY)) {
            throw Errors.GROUP_ID_NOT_FOUND.exception("Group " + groupId + " is not a consumer group.");
        }
        return group.isConsumerGroup() ? group.consumerGroup() : null;
    }

    // ------------------------------------------------------------------ join and heartbeat

    private ConsumerGroupHeartbeatResponseData joinOrHeartbeat(ConsumerGroupHeartbeatRequestData r, short version,
                                                               String clientId, String clientHost, MetadataImage image) {
        String groupId = r.groupId();
        ConsumerGroup cg = consumerGroup(groupId);
        int memberEpoch = r.memberEpoch();
        if (cg == null && memberEpoch != 0) {
            throw Errors.UNKNOWN_MEMBER_ID.exception("Consumer group " + groupId + " has no member " + r.memberId() + ".");
        }
        String memberId = r.memberId().isEmpty() ? Uuid.randomUuid().toString() : r.memberId();
        List<CoordinatorRecord> records = new ArrayList<>();
        Group group = shard.state.group(groupId);
        if (cg == null && group != null && group.hasMetadataRecord()) {
            // An empty classic group becomes a consumer group.
            records.add(new CoordinatorRecord.GroupRecord(groupId, null));
        }
        MemberSubscription oldSub = cg == null ? null : cg.member(memberId);
        CurrentAssignment oldCurrent = oldSub == null ? CurrentAssignment.INITIAL : cg.current(memberId);
        String replaced = null;
        if (r.instanceId() != null) {
            String holder = cg == null ? null : cg.staticMemberId(r.instanceId());
            if (memberEpoch == 0) {
                if (holder != null && !holder.equals(memberId)) {
                    if (cg.current(holder).memberEpoch() != LEAVE_GROUP_STATIC_EPOCH) {
                        throw Errors.UNRELEASED_INSTANCE_ID.exception("Static member " + holder + " with instance id "
                                + r.instanceId() + " is not released yet.");
                    }
                    replaced = holder;
                    oldSub = cg.member(holder);
                    oldCurrent = cg.current(holder);
                }
            } else if (holder == null) {
                throw Errors.UNKNOWN_MEMBER_ID.exception("Instance id " + r.instanceId() + " is unknown.");
            } else if (!holder.equals(memberId)) {
                throw Errors.FENCED_INSTANCE_ID.exception("Static member " + memberId + " with instance id "
                        + r.instanceId() + " was fenced by member " + holder + ".");
            }
        }
        if (oldSub == null && memberEpoch != 0) {
            throw Errors.UNKNOWN_MEMBER_ID.exception("Member " + memberId + " is not a member of group " + groupId + ".");
        }
        if (oldSub == null && cg != null && cg.members().size() >= shard.config.consumerMaxGroupSize()) {
            throw Errors.GROUP_MAX_SIZE_REACHED.exception("The consumer group has reached its maximum capacity of "
                    + shard.config.consumerMaxGroupSize() + " members.");
        }
        PartitionSet owned = owned(r.topicPartitions());
        if (memberEpoch > 0) {
            checkEpoch(memberId, memberEpoch, oldCurrent, owned);
        }
        MemberSubscription newSub = subscription(oldSub, r, clientId, clientHost);
        boolean subscriptionChanged = oldSub == null || !sameSubscription(oldSub, newSub);
        if (replaced != null) {
            records.add(new CurrentRecord(groupId, replaced, null));
            records.add(new TargetRecord(groupId, replaced, null));
            records.add(new MemberRecord(groupId, replaced, null));
        }
        if (replaced != null || !newSub.equals(oldSub)) {
            records.add(new MemberRecord(groupId, memberId, newSub));
        }
        TreeMap<String, MemberSubscription> members = cg == null ? new TreeMap<>() : new TreeMap<>(cg.members());
        TreeMap<String, PartitionSet> targets = cg == null ? new TreeMap<>() : new TreeMap<>(cg.targets());
        if (replaced != null) {
            members.remove(replaced);
            PartitionSet target = targets.remove(replaced);
            if (target != null) {
                targets.put(memberId, target);
            }
        }
        members.put(memberId, newSub);
        GroupEpoch epoch = cg == null ? null : cg.groupEpochValue();
        SortedMap<String, TopicMetadata> topics = subscribedTopics(members.values(), image);
        if (subscriptionChanged || epoch == null || !epoch.subscribedTopics().equals(topics)) {
            epoch = new GroupEpoch((epoch == null ? 0 : epoch.epoch()) + 1, topics);
            records.add(new GroupEpochRecord(groupId, epoch));
        }
        int targetEpoch = cg == null ? 0 : cg.targetEpoch();
        if (epoch.epoch() > targetEpoch) {
            records.addAll(assign(groupId, cg, members, targets, epoch));
            targetEpoch = epoch.epoch();
        }
        Set<String> others = replaced == null ? Set.of(memberId) : Set.of(memberId, replaced);
        ConsumerGroup view = cg;
        CurrentAssignment updated = Reconciliation.reconcile(oldCurrent,
                targets.getOrDefault(memberId, PartitionSet.EMPTY), targetEpoch, owned,
                (topic, p) -> view == null ? -1 : view.partitionEpoch(topic, p, others));
        if (replaced != null || oldSub == null || !updated.equals(oldCurrent) || !cg.hasCurrent(memberId)) {
            records.add(new CurrentRecord(groupId, memberId, updated));
        }
        Errors error = shard.commit(records);
        if (error != Errors.NONE) {
            return error(appendError(error), null);
        }
        if (replaced != null) {
            cancelTimers(groupId, replaced);
            log.info("Static member {} of consumer group {} rejoined as {} (was {})", r.instanceId(), groupId, memberId,
                    replaced);
        } else if (oldSub == null) {
            log.info("Member {} joined consumer group {} at group epoch {}", memberId, groupId, epoch.epoch());
        }
        touch(groupId, memberId);
        armRevocationTimer(groupId, memberId, oldCurrent, updated, newSub.rebalanceTimeoutMs());
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
                .setMemberId(memberId).setMemberEpoch(updated.memberEpoch())
                .setHeartbeatIntervalMs(shard.config.consumerHeartbeatIntervalMs());
        // As Kafka: the assignment goes to a member that (re)joins, that reported what it owns, or whose
        // assignment changed.
        if (memberEpoch == 0 || owned != null || !updated.assigned().equals(oldCurrent.assigned())) {
            response.setAssignment(assignment(updated.assigned()));
        }
        return response;
    }

    /** Kafka's epoch check: a newer epoch than the member's is fenced; an older one only if the response was lost. */
    private static void checkEpoch(String memberId, int received, CurrentAssignment current, PartitionSet owned) {
        if (received > current.memberEpoch()) {
            throw Errors.FENCED_MEMBER_EPOCH.exception("The consumer group member " + memberId + " has a greater member "
                    + "epoch (" + received + ") than the one known by the group coordinator (" + current.memberEpoch()
                    + "). The member must abandon all its partitions and rejoin.");
        }
        if (received < current.memberEpoch()
                && (received != current.previousMemberEpoch() || owned == null || !owned.subsetOf(current.assigned()))) {
            throw Errors.FENCED_MEMBER_EPOCH.exception("The consumer group member " + memberId + " has a smaller member "
                    + "epoch (" + received + ") than the one known by the group coordinator (" + current.memberEpoch()
                    + "). The member must abandon all its partitions and rejoin.");
        }
    }

    private static PartitionSet owned(List<ConsumerGroupHeartbeatRequestData.TopicPartitions> topicPartitions) {
        if (topicPartitions == null) {
            return null;
        }
        Map<Uuid, List<Integer>> owned = new TreeMap<>();
        for (ConsumerGroupHeartbeatRequestData.TopicPartitions t : topicPartitions) {
            owned.computeIfAbsent(t.topicId(), k -> new ArrayList<>()).addAll(t.partitions());
        }
        try {
            return PartitionSet.of(owned);
        } catch (IllegalArgumentException e) {
            throw Errors.INVALID_REQUEST.exception(e.getMessage());
        }
    }

    /** The member's subscription after this heartbeat: fields it left null keep their previous values. */
    private static MemberSubscription subscription(MemberSubscription old, ConsumerGroupHeartbeatRequestData r,
                                                   String clientId, String clientHost) {
        List<String> names = r.subscribedTopicNames() != null ? r.subscribedTopicNames()
                : old != null ? old.topicNames() : List.of();
        String regex = r.subscribedTopicRegex() != null ? r.subscribedTopicRegex() : old != null ? old.topicRegex() : null;
        if (regex != null && regex.isEmpty()) {
            regex = null; // an empty pattern is how a client stops subscribing by pattern
        }
        return new MemberSubscription(
                r.instanceId() != null ? r.instanceId() : old != null ? old.instanceId() : null,
                r.rackId() != null ? r.rackId() : old != null ? old.rackId() : null,
                clientId, clientHost, names, regex,
                r.serverAssignor() != null ? r.serverAssignor() : old != null ? old.serverAssignor() : null,
                r.rebalanceTimeoutMs() != -1 ? r.rebalanceTimeoutMs() : old != null ? old.rebalanceTimeoutMs() : 0);
    }

    /** What changes the target assignment: the topics, the assignor, the rack. */
    private static boolean sameSubscription(MemberSubscription a, MemberSubscription b) {
        return a.topicNames().equals(b.topicNames()) && Objects.equals(a.topicRegex(), b.topicRegex())
                && Objects.equals(a.serverAssignor(), b.serverAssignor()) && Objects.equals(a.rackId(), b.rackId());
    }

    /** The existing topics the members subscribe to, by name or by regex (internal topics never match a regex). */
    private SortedMap<String, TopicMetadata> subscribedTopics(Collection<MemberSubscription> members, MetadataImage image) {
        SortedMap<String, TopicMetadata> topics = new TreeMap<>();
        for (MemberSubscription m : members) {
            for (String name : m.topicNames()) {
                TopicImage t = image.topic(name);
                if (t != null) {
                    topics.put(name, new TopicMetadata(t.id(), t.numPartitions()));
                }
            }
            if (m.topicRegex() != null) {
                for (String name : matches(m.topicRegex(), image)) {
                    TopicImage t = image.topic(name);
                    topics.put(name, new TopicMetadata(t.id(), t.numPartitions()));
                }
            }
        }
        return topics;
    }

    private List<String> matches(String regex, MetadataImage image) {
        if (image != matchedImage) {
            matchedImage = image;
            regexMatches.clear();
        }
        return regexMatches.computeIfAbsent(regex, re -> {
            Pattern pattern = Pattern.compile(re);
            List<String> out = new ArrayList<>();
            for (String name : image.topicsByName().keySet()) {
                if (!Topic.isInternal(name) && pattern.matcher(name).matches()) {
                    out.add(name);
                }
            }
            return out;
        });
    }

    /** The topic ids a member subscribes to, among the group's subscribed topics. */
    private static Set<Uuid> memberTopics(MemberSubscription m, GroupEpoch epoch) {
        Set<Uuid> ids = new TreeSet<>();
        for (String name : m.topicNames()) {
            TopicMetadata t = epoch.subscribedTopics().get(name);
            if (t != null) {
                ids.add(t.id());
            }
        }
        if (m.topicRegex() != null) {
            Pattern pattern = Pattern.compile(m.topicRegex());
            epoch.subscribedTopics().forEach((name, t) -> {
                if (!Topic.isInternal(name) && pattern.matcher(name).matches()) {
                    ids.add(t.id());
                }
            });
        }
        return ids;
    }

    /** The assignor of the group: the one most members ask for (ties by name), uniform if none asks. */
    static String assignorName(Collection<MemberSubscription> members) {
        Map<String, Integer> votes = new TreeMap<>();
        for (MemberSubscription m : members) {
            if (m.serverAssignor() != null) {
                votes.merge(m.serverAssignor(), 1, Integer::sum);
            }
        }
        String best = ConsumerAssignor.UNIFORM;
        int bestVotes = 0;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    /**
     * A new target assignment for {@code members} at {@code epoch}: records for the members whose target changed
     * and the target epoch. {@code targets} is updated to the new targets.
     */
    private static List<CoordinatorRecord> assign(String groupId, ConsumerGroup cg, SortedMap<String, MemberSubscription> members,
                                                  TreeMap<String, PartitionSet> targets, GroupEpoch epoch) {
        SortedMap<String, Set<Uuid>> subscriptions = new TreeMap<>();
        members.forEach((id, m) -> subscriptions.put(id, memberTopics(m, epoch)));
        Map<Uuid, Integer> counts = new HashMap<>();
        epoch.subscribedTopics().values().forEach(t -> counts.put(t.id(), t.numPartitions()));
        ConsumerAssignor assignor = ConsumerAssignor.named(assignorName(members.values()));
        Map<String, PartitionSet> result = assignor.assign(subscriptions, counts, targets);
        List<CoordinatorRecord> records = new ArrayList<>();
        targets.keySet().retainAll(members.keySet());
        for (Map.Entry<String, PartitionSet> e : result.entrySet()) {
            PartitionSet before = targets.put(e.getKey(), e.getValue());
            boolean stored = cg != null && cg.hasTarget(e.getKey()) && cg.target(e.getKey()).equals(e.getValue());
            if (!e.getValue().equals(before) || !stored) {
                records.add(new TargetRecord(groupId, e.getKey(), e.getValue()));
            }
        }
        records.add(new TargetEpochRecord(groupId, epoch.epoch()));
        return records;
    }

    static ConsumerGroupHeartbeatResponseData.Assignment assignment(PartitionSet partitions) {
        ConsumerGroupHeartbeatResponseData.Assignment a = new ConsumerGroupHeartbeatResponseData.Assignment();
        partitions.byTopic().forEach((topic, ps) -> a.topicPartitions().add(
                new ConsumerGroupHeartbeatResponseData.TopicPartitions().setTopicId(topic).setPartitions(new ArrayList<>(ps))));
        return a;
    }

    private static Errors appendError(Errors error) {
        return switch (error) {
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            default -> Errors.COORDINATOR_NOT_AVAILABLE;
        };
    }

    // ------------------------------------------------------------------ leaving and removal

    private ConsumerGroupHeartbeatResponseData leave(ConsumerGroupHeartbeatRequestData r) {
        String groupId = r.groupId();
        ConsumerGroup cg = consumerGroup(groupId);
        if (cg == null) {
            throw Errors.GROUP_ID_NOT_FOUND.exception("Consumer group " + groupId + " not found.");
        }
        String memberId = r.memberId();
        if (r.instanceId() != null) {
            String holder = cg.staticMemberId(r.instanceId());
            if (holder == null) {
                throw Errors.UNKNOWN_MEMBER_ID.exception("Instance id " + r.instanceId() + " is unknown.");
            }
            if (!holder.equals(memberId)) {
                throw Errors.FENCED_INSTANCE_ID.exception("Static member " + memberId + " with instance id "
                        + r.instanceId() + " was fenced by member " + holder + ".");
            }
        }
        if (cg.member(memberId) == null) {
            throw Errors.UNKNOWN_MEMBER_ID.exception("Member " + memberId + " is not a member of group " + groupId + ".");
        }
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData().setMemberId(memberId)
                .setMemberEpoch(r.memberEpoch());
        if (r.memberEpoch() == LEAVE_GROUP_STATIC_EPOCH) {
            // The static member will be back: it keeps its partitions (nobody else gets them) until its session ends.
            CurrentAssignment c = cg.current(memberId);
            Errors error = shard.commit(List.of(new CurrentRecord(groupId, memberId, new CurrentAssignment(
                    LEAVE_GROUP_STATIC_EPOCH, c.memberEpoch(), c.state(), c.assigned(), c.pendingRevocation()))));
            if (error != Errors.NONE) {
                return error(appendError(error), null);
            }
            cancel(revocationTimers, groupId, memberId);
            touch(groupId, memberId);
            log.info("Static member {} (instance {}) of consumer group {} left temporarily", memberId, r.instanceId(), groupId);
            return response;
        }
        Errors error = removeMember(groupId, memberId);
        if (error != Errors.NONE) {
            return error(appendError(error), null);
        }
        log.info("Member {} left consumer group {}", memberId, groupId);
        return response;
    }

    /**
     * Removes a member (left, expired or fenced): its three keys go, the group epoch is bumped and the remaining
     * members get a new target assignment, over the topics they still subscribe to.
     */
    Errors removeMember(String groupId, String memberId) {
        ConsumerGroup cg = shard.state.group(groupId).consumerGroup();
        List<CoordinatorRecord> records = new ArrayList<>();
        records.add(new CurrentRecord(groupId, memberId, null));
        records.add(new TargetRecord(groupId, memberId, null));
        records.add(new MemberRecord(groupId, memberId, null));
        TreeMap<String, MemberSubscription> members = new TreeMap<>(cg.members());
        members.remove(memberId);
        TreeMap<String, PartitionSet> targets = new TreeMap<>(cg.targets());
        targets.remove(memberId);
        SortedMap<String, TopicMetadata> topics = new TreeMap<>();
        GroupEpoch before = cg.groupEpochValue();
        for (MemberSubscription m : members.values()) {
            Set<Uuid> ids = memberTopics(m, before);
            before.subscribedTopics().forEach((name, t) -> {
                if (ids.contains(t.id())) {
                    topics.put(name, t);
                }
            });
        }
        GroupEpoch epoch = new GroupEpoch(before.epoch() + 1, topics);
        records.add(new GroupEpochRecord(groupId, epoch));
        records.addAll(assign(groupId, cg, members, targets, epoch));
        Errors error = shard.commit(records);
        if (error == Errors.NONE) {
            cancelTimers(groupId, memberId);
        }
        return error;
    }

    // ------------------------------------------------------------------ timers

    private void touch(String groupId, String memberId) {
        List<String> key = List.of(groupId, memberId);
        cancel(sessionTimers, groupId, memberId);
        int sessionMs = shard.config.consumerSessionTimeoutMs();
        sessionTimers.put(key, shard.schedule(sessionMs, () -> {
            sessionTimers.remove(key);
            expire(groupId, memberId, "session timeout (" + sessionMs + " ms)");
        }));
    }

    /** A member that must revoke partitions has its rebalance timeout to do so, or it is fenced. */
    private void armRevocationTimer(String groupId, String memberId, CurrentAssignment before, CurrentAssignment after,
                                    int rebalanceTimeoutMs) {
        if (after.state() != ConsumerMemberState.UNREVOKED_PARTITIONS) {
            cancel(revocationTimers, groupId, memberId);
            return;
        }
        if (before.state() == ConsumerMemberState.UNREVOKED_PARTITIONS && before.memberEpoch() == after.memberEpoch()
                && revocationTimers.containsKey(List.of(groupId, memberId))) {
            return;
        }
        scheduleRevocation(groupId, memberId, after.memberEpoch(), rebalanceTimeoutMs);
    }

    private void scheduleRevocation(String groupId, String memberId, int epoch, int rebalanceTimeoutMs) {
        List<String> key = List.of(groupId, memberId);
        cancel(revocationTimers, groupId, memberId);
        revocationTimers.put(key, shard.schedule(rebalanceTimeoutMs, () -> {
            revocationTimers.remove(key);
            Group group = shard.state.group(groupId);
            ConsumerGroup cg = group == null ? null : group.consumerGroup();
            if (cg != null && cg.member(memberId) != null
                    && cg.current(memberId).state() == ConsumerMemberState.UNREVOKED_PARTITIONS
                    && cg.current(memberId).memberEpoch() == epoch) {
                expire(groupId, memberId, "not revoking its partitions within the rebalance timeout ("
                        + rebalanceTimeoutMs + " ms)");
            }
        }));
    }

    private void expire(String groupId, String memberId, String reason) {
        Group group = shard.state.group(groupId);
        if (group == null || group.consumerGroup().member(memberId) == null) {
            return;
        }
        log.info("Member {} of consumer group {} is fenced: {}", memberId, groupId, reason);
        if (removeMember(groupId, memberId) != Errors.NONE) {
            touch(groupId, memberId);
        }
    }

    private void cancelTimers(String groupId, String memberId) {
        cancel(sessionTimers, groupId, memberId);
        cancel(revocationTimers, groupId, memberId);
    }

    private static void cancel(Map<List<String>, Scheduler.Cancellable> timers, String groupId, String memberId) {
        Scheduler.Cancellable c = timers.remove(List.of(groupId, memberId));
        if (c != null) {
            c.cancel();
        }
    }

    /** After a load: every member gets a fresh session, and pending revocations their deadline back. */
    void onLoaded() {
        for (Group group : shard.state.groups()) {
            ConsumerGroup cg = group.consumerGroup();
            for (Map.Entry<String, MemberSubscription> e : cg.members().entrySet()) {
                touch(group.groupId(), e.getKey());
                CurrentAssignment c = cg.current(e.getKey());
                if (c.state() == ConsumerMemberState.UNREVOKED_PARTITIONS) {
                    scheduleRevocation(group.groupId(), e.getKey(), c.memberEpoch(), e.getValue().rebalanceTimeoutMs());
                }
            }
        }
    }

    /**
     * Offset commits of a consumer group: by member id and member epoch instead of a generation. Outside group
     * management (no member, no epoch) only while the group has no members.
     */
    static Errors validateCommit(ConsumerGroup cg, String memberId, int memberEpoch, short version) {
        if (memberEpoch < 0 && memberId.isEmpty()) {
            return cg.members().isEmpty() ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
        }
        Errors error = memberError(cg, memberId, memberEpoch);
        boolean epochError = error == Errors.STALE_MEMBER_EPOCH || error == Errors.FENCED_MEMBER_EPOCH;
        // Before v9 a commit names a generation, so a wrong one is an illegal generation.
        return epochError && version < 9 ? Errors.ILLEGAL_GENERATION : error;
    }

    /**
     * OffsetFetch, as Kafka judges it: a caller that names no member and no epoch (the admin client, the classic
     * consumer, an assign-mode consumer) may always read; a member must be known, and an epoch ahead of the
     * group's is fenced while one behind is only stale, so that the member retries with the epoch it has since
     * been given.
     */
    static Errors validateFetch(ConsumerGroup cg, String memberId, int memberEpoch) {
        if ((memberId == null || memberId.isEmpty()) && memberEpoch < 0) {
            return Errors.NONE;
        }
        return memberError(cg, memberId, memberEpoch);
    }

    /** A named member must be known and at its current epoch: ahead of it is fenced, behind it only stale. */
    private static Errors memberError(ConsumerGroup cg, String memberId, int memberEpoch) {
        if (memberId == null || cg.member(memberId) == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        int current = cg.current(memberId).memberEpoch();
        if (memberEpoch > current) {
            return Errors.FENCED_MEMBER_EPOCH;
        }
        return memberEpoch < current ? Errors.STALE_MEMBER_EPOCH : Errors.NONE;
    }

    /** The tombstones that delete a consumer group's own keys (its offsets are the caller's business). */
    static List<CoordinatorRecord> tombstones(String groupId, ConsumerGroup cg) {
        List<CoordinatorRecord> records = new ArrayList<>();
        for (String memberId : cg.members().keySet()) {
            records.add(new CurrentRecord(groupId, memberId, null));
            records.add(new TargetRecord(groupId, memberId, null));
            records.add(new MemberRecord(groupId, memberId, null));
        }
        if (cg.hasTargetEpochRecord()) {
            records.add(new TargetEpochRecord(groupId, null));
        }
        if (cg.exists()) {
            records.add(new GroupEpochRecord(groupId, null));
        }
        return records;
    }
}
