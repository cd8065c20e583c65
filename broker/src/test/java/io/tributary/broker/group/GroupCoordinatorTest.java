package io.tributary.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.PartitionManager;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.MetadataRecord;
import io.tributary.metadata.PartitionRecord;
import io.tributary.metadata.RemoveTopicRecord;
import io.tributary.metadata.TopicRecord;
import io.tributary.storage.LogConfig;
import io.tributary.storage.LogManager;
import io.tributary.storage.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator over real {@code __consumer_offsets} partitions: routing by group id, loading on a background
 * thread, records that survive closing and reopening the logs, and unloading when the topic goes away.
 */
class GroupCoordinatorTest {
    private static final int NODE = 1;
    private static final int PARTITIONS = 3;
    private static final Uuid TOPIC_ID = new Uuid(42L, 42L);
    private static final GroupCoordinatorConfig CONFIG = new GroupCoordinatorConfig(PARTITIONS, (short) 1, 1 << 20,
            4096, 1024, 60_000L, 60_000L, 1_000, 60_000, 0, 100);

    @TempDir
    Path dir;
    private LogManager logs;
    private PartitionManager partitions;
    private MetadataImage image = MetadataImage.EMPTY;
    private final List<GroupCoordinator> coordinators = new ArrayList<>();

    @AfterEach
    void tearDown() {
        coordinators.forEach(GroupCoordinator::close);
        if (logs != null) {
            logs.close();
        }
    }

    private void openLogs() {
        logs = LogManager.open(List.of(dir), LogConfig.DEFAULTS, Time.SYSTEM);
        partitions = new PartitionManager(NODE, logs, LogConfig.DEFAULTS);
        MetadataImage previous = MetadataImage.EMPTY;
        partitions.onImage(previous, image);
    }

    private void apply(List<MetadataRecord> records) {
        MetadataImage previous = image;
        image = previous.apply(records);
        partitions.onImage(previous, image);
        coordinators.forEach(c -> c.onImage(previous, image));
    }

    /** The offsets topic, with partition 2 led by another node. */
    private void createOffsetsTopic() {
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new TopicRecord(GroupCoordinator.OFFSETS_TOPIC, TOPIC_ID));
        for (int p = 0; p < PARTITIONS; p++) {
            int leader = p == 2 ? NODE + 1 : NODE;
            records.add(new PartitionRecord(TOPIC_ID, p, new int[] {leader}, new int[] {leader}, leader, 0, 0));
        }
        apply(records);
    }

    private GroupCoordinator start() throws Exception {
        GroupCoordinator gc = new GroupCoordinator(NODE, CONFIG, partitions, null, null, Time.SYSTEM);
        coordinators.add(gc);
        gc.onImage(MetadataImage.EMPTY, image);
        long deadline = System.currentTimeMillis() + 10_000;
        while (gc.shards().stream().anyMatch(s -> s.status() != CoordinatorShard.Status.ACTIVE)) {
            assertThat(System.currentTimeMillis()).as("shards loaded").isLessThan(deadline);
            Thread.sleep(5);
        }
        return gc;
    }

    private static String groupOnPartition(int partition) {
        for (int i = 0; ; i++) {
            if (GroupCoordinator.partitionFor("group-" + i, PARTITIONS) == partition) {
                return "group-" + i;
            }
        }
    }

    @Test
    void groupStateSurvivesARestartOfTheBroker() throws Exception {
        openLogs();
        GroupCoordinator gc = start();
        assertThat(gc.shardFor("any").error()).as("no offsets topic yet").isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        createOffsetsTopic();
        gc.close();
        gc = start();
        assertThat(gc.shards()).hasSize(2);
        String group = groupOnPartition(1);
        GroupCoordinator.Lookup lookup = gc.shardFor(group);
        assertThat(lookup.error()).isEqualTo(Errors.NONE);
        assertThat(lookup.shard().partitionId).isEqualTo(1);
        assertThat(gc.shardFor(groupOnPartition(2)).error()).isEqualTo(Errors.NOT_COORDINATOR);

        // One static member through join (completed by the timer thread), sync and a commit.
        CompletableFuture<JoinGroupResponseData> join = new CompletableFuture<>();
        lookup.shard().joinGroup(ShardHarness.joinRequest("", "i1").setGroupId(group),
                new JoinContext("c", "/127.0.0.1", false, false), join::complete);
        JoinGroupResponseData joined = join.get(10, TimeUnit.SECONDS);
        assertThat(joined.errorCode()).isZero();
        CompletableFuture<SyncGroupResponseData> sync = new CompletableFuture<>();
        SyncGroupRequestData syncRequest = new SyncGroupRequestData().setGroupId(group).setMemberId(joined.memberId())
                .setGroupInstanceId("i1").setGenerationId(joined.generationId());
        syncRequest.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment()
                .setMemberId(joined.memberId()).setAssignment(new byte[] {7}));
        lookup.shard().syncGroup(syncRequest, sync::complete);
        assertThat(sync.get(10, TimeUnit.SECONDS).assignment()).containsExactly(7);
        OffsetCommitRequestData commit = new OffsetCommitRequestData().setGroupId(group).setMemberId(joined.memberId())
                .setGroupInstanceId("i1").setGenerationIdOrMemberEpoch(joined.generationId());
        commit.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(99))));
        assertThat(lookup.shard().commitOffsets(commit, (short) 8).topics().get(0).partitions().get(0).errorCode()).isZero();

        PartitionLog log = partitions.partition(GroupCoordinator.OFFSETS_TOPIC, 1).log();
        assertThat(log.logEndOffset()).isPositive();
        assertThat(log.highWatermark()).as("visible to consumers of the topic").isEqualTo(log.logEndOffset());
        CoordinatorState before;
        synchronized (lookup.shard()) {
            before = copyOf(lookup.shard().state());
        }
        assertThat(before.group(group).offsets()).hasSize(1);

        gc.close();
        logs.close();
        openLogs();
        GroupCoordinator restarted = start();
        CoordinatorShard shard = restarted.shardFor(group).shard();
        synchronized (shard) {
            assertThat(shard.state()).isEqualTo(before);
        }
        assertThat(shard.heartbeat(group, joined.memberId(), "i1", joined.generationId())).isEqualTo(Errors.NONE);
        assertThat(shard.fetchOffsets(group, null, -1, Map.of("t", List.of(0))).topics().get(0).partitions().get(0)
                .committedOffset()).isEqualTo(99);

        apply(List.of(new RemoveTopicRecord(TOPIC_ID)));
        assertThat(restarted.shardFor(group).error()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(shard.heartbeat(group, joined.memberId(), "i1", joined.generationId())).isEqualTo(Errors.NOT_COORDINATOR);
    }

    /** A copy made by replaying the state's own contents, so later changes to the live state do not leak in. */
    private static CoordinatorState copyOf(CoordinatorState state) {
        CoordinatorState copy = new CoordinatorState();
        for (Group g : state.groups()) {
            if (g.hasMetadataRecord()) {
                copy.replay(new CoordinatorRecord.GroupRecord(g.groupId(), g.metadata()));
            }
            g.members().forEach((id, m) -> copy.replay(new CoordinatorRecord.MemberRecord(g.groupId(), id, m)));
            g.offsets().forEach((tp, o) -> copy.replay(new CoordinatorRecord.OffsetRecord(g.groupId(), tp, o)));
        }
        return copy;
    }
}
