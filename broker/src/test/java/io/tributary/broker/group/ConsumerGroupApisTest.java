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
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ConsumerGroupHeartbeat and ConsumerGroupDescribe on the wire at every version, with the admin APIs around them. */
class ConsumerGroupApisTest {
    private static final int NODE = 1;
    private static final Uuid OFFSETS_ID = new Uuid(1L, 1L);
    private static final Uuid TOPIC_ID = new Uuid(2L, 2L);

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
        records.add(new PartitionRecord(OFFSETS_ID, 0, new int[] {NODE}, new int[] {NODE}, NODE, 0, 0));
        for (int p = 0; p < 2; p++) {
            records.add(new PartitionRecord(TOPIC_ID, p, new int[] {NODE}, new int[] {NODE}, NODE, 0, 0));
        }
        MetadataImage image = MetadataImage.EMPTY.apply(records);
        partitions.onImage(MetadataImage.EMPTY, image);
        coordinator = new GroupCoordinator(NODE, GroupCoordinatorConfig.DEFAULTS, partitions, null, null, clock, clock);
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

    private static ConsumerGroupHeartbeatRequestData join(String group, String memberId) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of());
    }

    @Test
    void heartbeatAndDescribeAtEveryVersion() {
        for (int v = 0; v <= ApiKeys.CONSUMER_GROUP_HEARTBEAT.latestVersion(); v++) {
            String group = "g" + v;
            // v0 lets the coordinator pick the member id; v1 clients bring their own.
            ConsumerGroupHeartbeatResponseData joined = client.call(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
                    join(group, v == 0 ? "" : "member-" + v));
            assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
            assertThat(joined.memberId()).isNotEmpty();
            assertThat(joined.memberEpoch()).isEqualTo(1);
            assertThat(joined.heartbeatIntervalMs()).isEqualTo(GroupCoordinatorConfig.DEFAULT_CONSUMER_HEARTBEAT_INTERVAL_MS);
            assertThat(joined.assignment().topicPartitions()).hasSize(1);
            assertThat(joined.assignment().topicPartitions().get(0).topicId()).isEqualTo(TOPIC_ID);
            assertThat(joined.assignment().topicPartitions().get(0).partitions()).containsExactly(0, 1);

            ConsumerGroupHeartbeatResponseData fenced = client.call(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
                    new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(joined.memberId()).setMemberEpoch(5));
            assertThat(Errors.forCode(fenced.errorCode())).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
            assertThat(fenced.errorMessage()).contains("greater member epoch");

            for (int d = 0; d <= ApiKeys.CONSUMER_GROUP_DESCRIBE.latestVersion(); d++) {
                ConsumerGroupDescribeResponseData described = client.call(ApiKeys.CONSUMER_GROUP_DESCRIBE, d,
                        new ConsumerGroupDescribeRequestData().setGroupIds(List.of(group, "absent")));
                ConsumerGroupDescribeResponseData.DescribedGroup g = described.groups().get(0);
                assertThat(Errors.forCode(g.errorCode())).isEqualTo(Errors.NONE);
                assertThat(g.groupState()).isEqualTo("Stable");
                assertThat(g.groupEpoch()).isEqualTo(1);
                assertThat(g.assignmentEpoch()).isEqualTo(1);
                assertThat(g.assignorName()).isEqualTo("uniform");
                assertThat(g.members()).singleElement().satisfies(m -> {
                    assertThat(m.memberId()).isEqualTo(joined.memberId());
                    assertThat(m.subscribedTopicNames()).containsExactly("t");
                    assertThat(m.assignment().topicPartitions().get(0).topicName()).isEqualTo("t");
                });
                assertThat(Errors.forCode(described.groups().get(1).errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
            }

            ConsumerGroupHeartbeatResponseData left = client.call(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
                    new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(joined.memberId()).setMemberEpoch(-1));
            assertThat(Errors.forCode(left.errorCode())).isEqualTo(Errors.NONE);
            assertThat(left.memberEpoch()).isEqualTo(-1);
        }
        ConsumerGroupHeartbeatResponseData invalid = client.call(ApiKeys.CONSUMER_GROUP_HEARTBEAT, 1, join("", "m"));
        assertThat(Errors.forCode(invalid.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void listAndDescribeGroupsKnowConsumerGroups() {
        client.call(ApiKeys.CONSUMER_GROUP_HEARTBEAT, 1, join("cg", "m"));
        ListGroupsResponseData all = client.call(ApiKeys.LIST_GROUPS, 5, new ListGroupsRequestData());
        assertThat(all.groups()).singleElement().satisfies(g -> {
            assertThat(g.groupId()).isEqualTo("cg");
            assertThat(g.groupType()).isEqualTo("consumer");
            assertThat(g.protocolType()).isEqualTo("consumer");
            assertThat(g.groupState()).isEqualTo("Stable");
        });
        ListGroupsResponseData classicOnly = client.call(ApiKeys.LIST_GROUPS, 5,
                new ListGroupsRequestData().setTypesFilter(List.of("classic")));
        assertThat(classicOnly.groups()).isEmpty();
        ListGroupsResponseData consumerOnly = client.call(ApiKeys.LIST_GROUPS, 5,
                new ListGroupsRequestData().setTypesFilter(List.of("Consumer")).setStatesFilter(List.of("stable")));
        assertThat(consumerOnly.groups()).hasSize(1);
        ListGroupsResponseData v0 = client.call(ApiKeys.LIST_GROUPS, 0, new ListGroupsRequestData());
        assertThat(v0.groups()).hasSize(1);

        DescribeGroupsResponseData v5 = client.call(ApiKeys.DESCRIBE_GROUPS, 5,
                new DescribeGroupsRequestData().setGroups(List.of("cg")));
        assertThat(v5.groups().get(0).groupState()).isEqualTo("Dead");
        assertThat(Errors.forCode(v5.groups().get(0).errorCode())).isEqualTo(Errors.NONE);
        DescribeGroupsResponseData v6 = client.call(ApiKeys.DESCRIBE_GROUPS, 6,
                new DescribeGroupsRequestData().setGroups(List.of("cg")));
        assertThat(Errors.forCode(v6.groups().get(0).errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(v6.groups().get(0).errorMessage()).isEqualTo("Group cg is not a classic group.");
    }
}
