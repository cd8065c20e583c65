package io.tributary.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.PartitionManager;
import io.tributary.broker.network.ApiRegistry;
import io.tributary.metadata.Endpoint;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.MetadataRecord;
import io.tributary.metadata.PartitionRecord;
import io.tributary.metadata.RegisterBrokerRecord;
import io.tributary.metadata.TopicRecord;
import io.tributary.storage.LogConfig;
import io.tributary.storage.LogManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group APIs on the wire at every version kafka-clients can encode: requests are encoded and responses decoded
 * at that version, so a response field a version cannot carry, or a version-specific shape, is caught here.
 */
class GroupApisTest {
    private static final int NODE = 1;
    private static final Uuid OFFSETS_ID = new Uuid(1L, 1L);
    private static final Uuid TOPIC_ID = new Uuid(2L, 2L);
    private static final GroupCoordinatorConfig CONFIG = new GroupCoordinatorConfig(3, (short) 1, 1 << 20, 4096, 1024,
            60_000L, 60_000L, 1_000, 60_000, 0, 100);

    @TempDir
    Path dir;
    private LogManager logs;
    private GroupCoordinator coordinator;
    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private WireClient client;

    @BeforeEach
    void setUp() throws Exception {
        logs = LogManager.open(List.of(dir), LogConfig.DEFAULTS, clock);
        PartitionManager partitions = new PartitionManager(NODE, logs, LogConfig.DEFAULTS);
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new RegisterBrokerRecord(NODE, Uuid.randomUuid(),
                List.of(new Endpoint("PLAINTEXT", "broker.example", 9092, SecurityProtocol.PLAINTEXT)), null));
        records.add(new TopicRecord(GroupCoordinator.OFFSETS_TOPIC, OFFSETS_ID));
        records.add(new TopicRecord("t", TOPIC_ID));
        for (int p = 0; p < 3; p++) {
            records.add(new PartitionRecord(OFFSETS_ID, p, new int[] {NODE}, new int[] {NODE}, NODE, 0, 0));
        }
        records.add(new PartitionRecord(TOPIC_ID, 0, new int[] {NODE}, new int[] {NODE}, NODE, 0, 0));
        MetadataImage image = MetadataImage.EMPTY.apply(records);
        partitions.onImage(MetadataImage.EMPTY, image);
        coordinator = new GroupCoordinator(NODE, CONFIG, partitions, null, null, clock, clock);
        coordinator.onImage(MetadataImage.EMPTY, image);
        long deadline = System.currentTimeMillis() + 10_000;
        while (coordinator.shards().stream().anyMatch(s -> s.status() != CoordinatorShard.Status.ACTIVE)) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(5);
        }
        ApiRegistry registry = new ApiRegistry();
        GroupApis.register(registry, coordinator);
        client = new WireClient(registry);
    }

    @AfterEach
    void tearDown() {
        client.close();
        coordinator.close();
        logs.close();
    }

    private static Errors error(short code) {
        return Errors.forCode(code);
    }

    @Test
    void findCoordinatorAtEveryVersion() {
        for (int v = 0; v <= ApiKeys.FIND_COORDINATOR.latestVersion(); v++) {
            FindCoordinatorRequestData r = new FindCoordinatorRequestData();
            if (v < 4) {
                r.setKey("g");
            } else {
                r.setCoordinatorKeys(List.of("g", "h"));
            }
            FindCoordinatorResponseData response = client.call(ApiKeys.FIND_COORDINATOR, v, r);
            if (v < 4) {
                assertThat(error(response.errorCode())).isEqualTo(Errors.NONE);
                assertThat(response.nodeId()).isEqualTo(NODE);
                assertThat(response.host()).isEqualTo("broker.example");
                assertThat(response.port()).isEqualTo(9092);
            } else {
                assertThat(response.coordinators()).extracting(FindCoordinatorResponseData.Coordinator::key,
                        FindCoordinatorResponseData.Coordinator::nodeId).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("g", NODE), org.assertj.core.groups.Tuple.tuple("h", NODE));
            }
        }
        FindCoordinatorResponseData txn = client.call(ApiKeys.FIND_COORDINATOR, 3,
                new FindCoordinatorRequestData().setKey("tx").setKeyType((byte) 1));
        assertThat(txn.nodeId()).isEqualTo(NODE);
        FindCoordinatorResponseData share = client.call(ApiKeys.FIND_COORDINATOR, 6,
                new FindCoordinatorRequestData().setCoordinatorKeys(List.of("s")).setKeyType((byte) 2));
        assertThat(error(share.coordinators().get(0).errorCode())).isEqualTo(Errors.INVALID_REQUEST);
    }

    private static JoinGroupRequestData join(String group, String memberId, String instanceId) {
        JoinGroupRequestData r = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(20_000)
                .setProtocolType("consumer");
        r.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                .setMetadata(ShardHarness.subscription("t")));
        return r;
    }

    /** A JoinGroup that may be parked for the (zero) initial delay: answered once the timer ran. */
    private JoinGroupResponseData joinAndWait(int version, JoinGroupRequestData request) {
        int id = client.send(ApiKeys.JOIN_GROUP, version, request);
        JoinGroupResponseData response = client.response(id);
        if (response == null) {
            clock.runDue();
            response = client.response(id);
        }
        assertThat(response).as("JoinGroup v%d answered", version).isNotNull();
        return response;
    }

    @Test
    void membershipAtEveryVersion() {
        for (int v = 0; v <= ApiKeys.JOIN_GROUP.latestVersion(); v++) {
            String group = "group-v" + v;
            String instance = v >= 5 ? "instance" : null;
            JoinGroupResponseData joined = joinAndWait(v, join(group, "", instance));
            String memberId = joined.memberId();
            if (v >= 4 && instance == null) {
                assertThat(error(joined.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
                joined = joinAndWait(v, join(group, memberId, null));
            }
            assertThat(error(joined.errorCode())).as("v%d", v).isEqualTo(Errors.NONE);
            assertThat(joined.generationId()).isEqualTo(1);
            assertThat(joined.leader()).isEqualTo(memberId);
            assertThat(joined.protocolName()).isEqualTo("range");
            assertThat(joined.members()).hasSize(1);

            int syncVersion = Math.min(v, ApiKeys.SYNC_GROUP.latestVersion());
            SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(group).setMemberId(memberId)
                    .setGroupInstanceId(syncVersion >= 3 ? instance : null).setGenerationId(1);
            if (syncVersion >= 5) {
                sync.setProtocolType("consumer").setProtocolName("range");
            }
            sync.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(memberId)
                    .setAssignment(new byte[] {4, 2}));
            SyncGroupResponseData synced = client.call(ApiKeys.SYNC_GROUP, syncVersion, sync);
            assertThat(error(synced.errorCode())).isEqualTo(Errors.NONE);
            assertThat(synced.assignment()).containsExactly(4, 2);

            int hbVersion = Math.min(v, ApiKeys.HEARTBEAT.latestVersion());
            HeartbeatResponseData hb = client.call(ApiKeys.HEARTBEAT, hbVersion, new HeartbeatRequestData()
                    .setGroupId(group).setMemberId(memberId).setGenerationId(1)
                    .setGroupInstanceId(hbVersion >= 3 ? instance : null));
            assertThat(error(hb.errorCode())).isEqualTo(Errors.NONE);

            // An error response must encode at this version too (protocol name is not nullable before v7).
            JoinGroupResponseData unknown = client.call(ApiKeys.JOIN_GROUP, v, join(group, "nobody", null));
            assertThat(error(unknown.errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

            int leaveVersion = Math.min(v, ApiKeys.LEAVE_GROUP.latestVersion());
            LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(group);
            if (leaveVersion >= 3) {
                leave.setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId)
                        .setGroupInstanceId(instance), new LeaveGroupRequestData.MemberIdentity().setMemberId("nobody")));
            } else {
                leave.setMemberId(memberId);
            }
            LeaveGroupResponseData left = client.call(ApiKeys.LEAVE_GROUP, leaveVersion, leave);
            assertThat(error(left.errorCode())).isEqualTo(Errors.NONE);
            if (leaveVersion >= 3) {
                assertThat(left.members()).extracting(m -> error(m.errorCode()))
                        .containsExactly(Errors.NONE, Errors.UNKNOWN_MEMBER_ID);
            }
            assertThat(coordinator.shardFor(group).shard().describeGroup(group).groupState()).isEqualTo("Empty");
        }
        LeaveGroupResponseData unknownGroup = client.call(ApiKeys.LEAVE_GROUP, 2,
                new LeaveGroupRequestData().setGroupId("nope").setMemberId("m"));
        assertThat(error(unknownGroup.errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(client.isOpen()).isTrue();
    }

    private static OffsetCommitRequestData commit(String group, int version, long offset) {
        OffsetCommitRequestData.OffsetCommitRequestTopic topic = new OffsetCommitRequestData.OffsetCommitRequestTopic()
                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                        .setCommittedOffset(offset).setCommittedLeaderEpoch(version >= 6 ? 5 : -1)
                        .setCommittedMetadata("m")));
        if (version >= 10) {
            topic.setTopicId(TOPIC_ID);
        } else {
            topic.setName("t");
        }
        return new OffsetCommitRequestData().setGroupId(group).setMemberId("").setGenerationIdOrMemberEpoch(-1)
                .setTopics(new ArrayList<>(List.of(topic)));
    }

    @Test
    void offsetsAtEveryVersion() {
        for (int v = ApiKeys.OFFSET_COMMIT.oldestVersion(); v <= ApiKeys.OFFSET_COMMIT.latestVersion(); v++) {
            OffsetCommitResponseData r = client.call(ApiKeys.OFFSET_COMMIT, v, commit("offsets", v, 100 + v));
            OffsetCommitResponseData.OffsetCommitResponseTopic topic = r.topics().get(0);
            assertThat(error(topic.partitions().get(0).errorCode())).as("v%d", v).isEqualTo(Errors.NONE);
            if (v >= 10) {
                assertThat(topic.topicId()).isEqualTo(TOPIC_ID);
            } else {
                assertThat(topic.name()).isEqualTo("t");
            }
        }
        long expected = 100 + ApiKeys.OFFSET_COMMIT.latestVersion();
        OffsetCommitRequestData unknownId = commit("offsets", 10, 1);
        unknownId.topics().get(0).setTopicId(Uuid.randomUuid());
        OffsetCommitResponseData refused = client.call(ApiKeys.OFFSET_COMMIT, 10, unknownId);
        assertThat(error(refused.topics().get(0).partitions().get(0).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_ID);

        for (int v = ApiKeys.OFFSET_FETCH.oldestVersion(); v <= ApiKeys.OFFSET_FETCH.latestVersion(); v++) {
            OffsetFetchRequestData r = new OffsetFetchRequestData();
            if (v < 8) {
                r.setGroupId("offsets").setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                        .setName("t").setPartitionIndexes(List.of(0, 1))));
                OffsetFetchResponseData response = client.call(ApiKeys.OFFSET_FETCH, v, r);
                assertThat(response.topics().get(0).partitions()).extracting(p -> p.committedOffset())
                        .as("v%d", v).containsExactly(expected, -1L);
                assertThat(response.topics().get(0).partitions().get(0).committedLeaderEpoch()).isEqualTo(v >= 5 ? 5 : -1);
                if (v >= 2) {
                    r.setTopics(null);
                    OffsetFetchResponseData all = client.call(ApiKeys.OFFSET_FETCH, v, r);
                    assertThat(all.topics()).hasSize(1);
                    assertThat(all.topics().get(0).partitions()).hasSize(1);
                }
            } else {
                OffsetFetchRequestData.OffsetFetchRequestTopics topics = new OffsetFetchRequestData.OffsetFetchRequestTopics()
                        .setPartitionIndexes(List.of(0));
                if (v >= 10) {
                    topics.setTopicId(TOPIC_ID);
                } else {
                    topics.setName("t");
                }
                r.setGroups(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("offsets").setTopics(List.of(topics)),
                        new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("offsets").setTopics(null),
                        new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("empty").setTopics(null)));
                OffsetFetchResponseData response = client.call(ApiKeys.OFFSET_FETCH, v, r);
                assertThat(response.groups()).hasSize(3);
                for (int g = 0; g < 2; g++) {
                    OffsetFetchResponseData.OffsetFetchResponseTopics t = response.groups().get(g).topics().get(0);
                    assertThat(t.partitions().get(0).committedOffset()).as("v%d group %d", v, g).isEqualTo(expected);
                    if (v >= 10) {
                        assertThat(t.topicId()).isEqualTo(TOPIC_ID);
                    } else {
                        assertThat(t.name()).isEqualTo("t");
                    }
                }
                assertThat(response.groups().get(2).topics()).isEmpty();
            }
        }
    }

    @Test
    void administrationAtEveryVersion() {
        client.call(ApiKeys.OFFSET_COMMIT, 8, commit("admin", 8, 7));
        for (int v = 0; v <= ApiKeys.LIST_GROUPS.latestVersion(); v++) {
            ListGroupsRequestData r = new ListGroupsRequestData();
            if (v >= 4) {
                r.setStatesFilter(List.of("empty"));
            }
            ListGroupsResponseData response = client.call(ApiKeys.LIST_GROUPS, v, r);
            assertThat(response.groups()).extracting(ListGroupsResponseData.ListedGroup::groupId).containsExactly("admin");
            if (v >= 5) {
                r.setTypesFilter(List.of("consumer"));
                assertThat(((ListGroupsResponseData) client.call(ApiKeys.LIST_GROUPS, v, r)).groups()).isEmpty();
                r.setTypesFilter(List.of("Classic"));
                assertThat(((ListGroupsResponseData) client.call(ApiKeys.LIST_GROUPS, v, r)).groups()).hasSize(1);
            }
        }
        for (int v = 0; v <= ApiKeys.DESCRIBE_GROUPS.latestVersion(); v++) {
            DescribeGroupsRequestData r = new DescribeGroupsRequestData().setGroups(List.of("admin", "missing"))
                    .setIncludeAuthorizedOperations(v >= 3);
            DescribeGroupsResponseData response = client.call(ApiKeys.DESCRIBE_GROUPS, v, r);
            DescribeGroupsResponseData.DescribedGroup admin = response.groups().get(0);
            DescribeGroupsResponseData.DescribedGroup missing = response.groups().get(1);
            assertThat(admin.groupState()).isEqualTo("Empty");
            assertThat(missing.groupState()).isEqualTo("Dead");
            assertThat(error(missing.errorCode())).as("v%d", v)
                    .isEqualTo(v >= 6 ? Errors.GROUP_ID_NOT_FOUND : Errors.NONE);
            if (v >= 3) {
                assertThat(admin.authorizedOperations()).isEqualTo(GroupAdminApis.GROUP_OPERATIONS);
            }
        }
        OffsetDeleteRequestData delete = new OffsetDeleteRequestData().setGroupId("admin");
        OffsetDeleteRequestData.OffsetDeleteRequestTopic topic = new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("t");
        topic.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
        delete.topics().add(topic);
        OffsetDeleteResponseData deleted = client.call(ApiKeys.OFFSET_DELETE, 0, delete);
        assertThat(error(deleted.errorCode())).isEqualTo(Errors.NONE);
        assertThat(deleted.topics().find("t").partitions().find(0).errorCode()).isZero();

        client.call(ApiKeys.OFFSET_COMMIT, 8, commit("admin", 8, 7));
        for (int v = 0; v <= ApiKeys.DELETE_GROUPS.latestVersion(); v++) {
            client.call(ApiKeys.OFFSET_COMMIT, 8, commit("del" + v, 8, 7));
            DeleteGroupsResponseData response = client.call(ApiKeys.DELETE_GROUPS, v,
                    new DeleteGroupsRequestData().setGroupsNames(List.of("del" + v, "missing")));
            assertThat(error(response.results().find("del" + v).errorCode())).isEqualTo(Errors.NONE);
            assertThat(error(response.results().find("missing").errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        }
    }
}
