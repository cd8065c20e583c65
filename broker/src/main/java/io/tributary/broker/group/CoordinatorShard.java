package io.tributary.broker.group;

import static io.tributary.broker.group.GroupResponses.joinError;
import static io.tributary.broker.group.GroupResponses.syncError;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import io.tributary.metadata.MetadataImage;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator for the groups of one {@code __consumer_offsets} partition: records + replay.
 *
 * <p>The durable {@link CoordinatorState} changes only through {@link #commit}: records computed from the current
 * state are appended to the {@link CoordinatorLog} as one batch and, once the append succeeded, replayed into the
 * state. Loading a partition is the same replay over the whole log, so a restarted coordinator has exactly the state
 * it had. Everything else (parked responses, deadlines, timers) is transient {@link GroupRuntime}.
 *
 * <p>Every request and timer runs under this object's lock, so the state machine is single-threaded per shard.
 * There is no I/O here beyond the log interface and no clock but the injected {@link Time} and {@link Scheduler}.
 * Until {@link #load} has finished, requests get COORDINATOR_LOAD_IN_PROGRESS.
 */
public final class CoordinatorShard {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorShard.class);

    /** Where the shard is in its life. */
    public enum Status { LOADING, ACTIVE, FAILED, CLOSED }

    final int partitionId;
    final GroupCoordinatorConfig config;
    final Time time;
    private final Scheduler scheduler;
    private final CoordinatorLog coordinatorLog;
    final CoordinatorState state = new CoordinatorState();
    private final Map<String, GroupRuntime> runtimes = new HashMap<>();
    private final Membership membership;
    private final ConsumerMembership consumerMembership;
    private final OffsetManager offsets;
    private final GroupAdmin admin;
    private volatile Status status = Status.LOADING;

    public CoordinatorShard(int partitionId, CoordinatorLog coordinatorLog, GroupCoordinatorConfig config, Time time,
                            Scheduler scheduler) {
        this.partitionId = partitionId;
        this.coordinatorLog = coordinatorLog;
        this.config = config;
        this.time = time;
        this.scheduler = scheduler;
        this.membership = new Membership(this);
        this.consumerMembership = new ConsumerMembership(this);
        this.offsets = new OffsetManager(this, membership);
        this.admin = new GroupAdmin(this);
    }

    /**
     * Replays the log into the state, then starts serving. The replay runs without the lock (requests see LOADING
     * and never touch the state meanwhile); taking the lock at the end publishes the loaded state to them.
     */
    public void load() {
        long startMs = time.milliseconds();
        int[] count = new int[1];
        try {
            coordinatorLog.load(record -> {
                state.replay(record);
                count[0]++;
            });
        } catch (RuntimeException e) {
            status = Status.FAILED;
            if (Thread.currentThread().isInterrupted()) {
                // The broker is stopping and interrupted the loader (its channel reads fail with
                // ClosedByInterruptException): nothing is wrong with the partition.
                log.info("Loading group coordinator partition {} stopped: the broker is shutting down", partitionId);
            } else {
                log.error("Loading group coordinator partition {} failed", partitionId, e);
            }
            throw e;
        }
        int groups;
        synchronized (this) {
            if (status != Status.LOADING) {
                return;
            }
            membership.onLoaded();
            consumerMembership.onLoaded();
            offsets.scheduleExpiry();
            status = Status.ACTIVE;
            groups = state.groups().size();
        }
        if (count[0] > 0) {
            log.info("Loaded group coordinator partition {}: {} records, {} groups in {} ms", partitionId, count[0],
                    groups, time.milliseconds() - startMs);
        }
    }

    public Status status() {
        return status;
    }

    /** The error for a request that cannot be served now, or NONE. */
    private Errors unavailable() {
        return switch (status) {
            case ACTIVE -> Errors.NONE;
            case LOADING -> Errors.COORDINATOR_LOAD_IN_PROGRESS;
            case FAILED -> Errors.COORDINATOR_NOT_AVAILABLE;
            case CLOSED -> Errors.NOT_COORDINATOR;
        };
    }

    /**
     * Appends the records as one batch and, if that worked, replays them. Returns the append's error otherwise,
     * leaving the state untouched.
     */
    Errors commit(List<CoordinatorRecord> records) {
        if (records.isEmpty()) {
            return Errors.NONE;
        }
        try {
            coordinatorLog.append(records);
        } catch (RuntimeException e) {
            log.warn("Group coordinator partition {} could not append {} records: {}", partitionId, records.size(), e.toString());
            return Errors.forException(e);
        }
        try {
            for (CoordinatorRecord r : records) {
                state.replay(r);
            }
        } catch (RuntimeException e) {
            // The log now holds records the state refused: an invariant is broken, stop serving this partition.
            status = Status.FAILED;
            log.error("Group coordinator partition {} cannot apply its own records; stopping it", partitionId, e);
            throw e;
        }
        return Errors.NONE;
    }

    GroupRuntime runtime(String groupId) {
        return runtimes.computeIfAbsent(groupId, id -> new GroupRuntime());
    }

    GroupRuntime existingRuntime(String groupId) {
        return runtimes.get(groupId);
    }

    void dropRuntimeIfIdle(String groupId) {
        GroupRuntime rt = runtimes.get(groupId);
        if (rt != null && rt.idle()) {
            runtimes.remove(groupId);
        }
    }

    void forgetRuntime(String groupId) {
        GroupRuntime rt = runtimes.remove(groupId);
        if (rt != null) {
            membership.onUnloaded(rt);
        }
    }

    /** Schedules a task that runs under the lock, and only while the shard is serving. */
    Scheduler.Cancellable schedule(long delayMs, Runnable task) {
        return scheduler.schedule(Math.max(0, delayMs), () -> {
            synchronized (this) {
                if (status == Status.ACTIVE) {
                    task.run();
                }
            }
        });
    }

    // ------------------------------------------------------------------ requests

    public synchronized void joinGroup(JoinGroupRequestData request, JoinContext context,
                                       Consumer<JoinGroupResponseData> done) {
        Errors error = unavailable();
        if (error != Errors.NONE) {
            done.accept(joinError(request.memberId(), error));
            return;
        }
        membership.join(request, context, done);
    }

    public synchronized void syncGroup(SyncGroupRequestData request, Consumer<SyncGroupResponseData> done) {
        Errors error = unavailable();
        if (error != Errors.NONE) {
            // While loading, the rebalance in flight is lost: REBALANCE_IN_PROGRESS makes the client rejoin at once
            // (older clients do not know COORDINATOR_LOAD_IN_PROGRESS here), as Kafka answers.
            done.accept(syncError(error == Errors.COORDINATOR_LOAD_IN_PROGRESS ? Errors.REBALANCE_IN_PROGRESS : error));
            return;
        }
        membership.sync(request, done);
    }

    public synchronized Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        Errors error = unavailable();
        if (error == Errors.COORDINATOR_LOAD_IN_PROGRESS) {
            return Errors.NONE; // as Kafka: the member will learn of any rebalance once the group is loaded
        }
        return error != Errors.NONE ? error : membership.heartbeat(groupId, memberId, groupInstanceId, generationId);
    }

    /** Per-member results; a top-level error is returned as the same error for every member. */
    public synchronized List<MemberResponse> leaveGroup(String groupId, List<MemberIdentity> members) {
        Errors error = unavailable();
        if (error != Errors.NONE) {
            List<MemberResponse> out = new ArrayList<>();
            for (MemberIdentity m : members) {
                out.add(new MemberResponse().setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId())
                        .setErrorCode(error.code()));
            }
            return out;
        }
        return membership.leave(groupId, members);
    }

    /** ConsumerGroupHeartbeat (KIP-848); {@code image} resolves subscribed topic names and patterns. */
    public synchronized ConsumerGroupHeartbeatResponseData consumerGroupHeartbeat(ConsumerGroupHeartbeatRequestData request,
                                                                                  short version, String clientId,
                                                                                  String clientHost, MetadataImage image) {
        Errors error = unavailable();
        if (error != Errors.NONE) {
            return ConsumerMembership.error(error, null);
        }
        return consumerMembership.heartbeat(request, version, clientId, clientHost, image);
    }

    public synchronized ConsumerGroupDescribeResponseData.DescribedGroup describeConsumerGroup(String groupId,
                                                                                               MetadataImage image) {
        Errors error = unavailable();
        if (error != Errors.NONE) {
            return new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code())
                    .setGroupState("");
        }
        return ConsumerGroupDescriptions.describe(state, groupId, image);
    }

    /** The shard's own error, or NONE: for the API layer, which shapes per-version error responses itself. */
    public synchronized Errors availability() {
        return unavailable();
    }

    public synchronized OffsetCommitResponseData commitOffsets(OffsetCommitRequestData request, short version) {
        Errors error = unavailable();
        if (error != Errors.NONE) {
            OffsetCommitResponseData response = new OffsetCommitResponseData();
            for (OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
                OffsetCommitResponseData.OffsetCommitResponseTopic tr = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                        .setName(t.name()).setTopicId(t.topicId());
                t.partitions().forEach(p -> tr.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code())));
                response.topics().add(tr);
            }
            return response;
        }
        return offsets.commit(request, version);
    }

    /**
     * Offsets of one group by topic name; {@code requested} null means all. A member of a consumer group (OffsetFetch
     * v9+) names itself and its epoch, and is refused if either is not current (see {@link ConsumerMembership});
     * a caller outside group management passes null and -1.
     */
    public synchronized OffsetFetchResponseGroup fetchOffsets(String groupId, String memberId, int memberEpoch,
                                                              Map<String, List<Integer>> requested) {
        Errors error = unavailable();
        if (error == Errors.NONE) {
            Group group = state.group(groupId);
            if (group != null && group.isConsumerGroup()) {
                error = ConsumerMembership.validateFetch(group.consumerGroup(), memberId, memberEpoch);
            }
        }
        if (error != Errors.NONE) {
            return new OffsetFetchResponseGroup().setGroupId(groupId).setErrorCode(error.code());
        }
        return offsets.fetch(groupId, requested);
    }

    public synchronized OffsetDeleteResponseData deleteOffsets(OffsetDeleteRequestData request) {
        Errors error = unavailable();
        if (error != Errors.NONE) {
            return new OffsetDeleteResponseData().setErrorCode(error.code());
        }
        return offsets.delete(request);
    }

    /** Null when the shard cannot list (loading or gone). */
    public synchronized List<ListedGroup> listGroups(Set<String> states) {
        return status == Status.ACTIVE ? admin.list(states) : null;
    }

    public synchronized DescribedGroup describeGroup(String groupId) {
        Errors error = unavailable();
        if (error != Errors.NONE) {
            return new DescribedGroup().setGroupId(groupId).setErrorCode(error.code()).setGroupState("")
                    .setProtocolType("").setProtocolData("");
        }
        return admin.describe(groupId);
    }

    public synchronized Errors deleteGroup(String groupId) {
        Errors error = unavailable();
        return error != Errors.NONE ? error : admin.delete(groupId);
    }

    /** Runs the offset expiry now (it also runs every offsets.retention.check.interval.ms). */
    public synchronized void expireOffsets() {
        if (status == Status.ACTIVE) {
            offsets.expire();
        }
    }

    /** Stops serving: parked requests are told NOT_COORDINATOR so their clients look the coordinator up again. */
    public synchronized void close() {
        status = Status.CLOSED;
        for (GroupRuntime rt : runtimes.values()) {
            membership.onUnloaded(rt);
        }
        runtimes.clear();
    }

    /** The durable state, for tests and diagnostics; only read it under the shard's lock. */
    public CoordinatorState state() {
        return state;
    }
}
