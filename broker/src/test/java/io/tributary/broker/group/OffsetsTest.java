package io.tributary.broker.group;

import static io.tributary.broker.group.ShardHarness.GROUP;
import static io.tributary.broker.group.ShardHarness.commitError;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.group.ShardHarness.Stable;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Committed offsets, and the group administration that goes with them. */
class OffsetsTest {
    private final ShardHarness h = new ShardHarness();

    private OffsetFetchResponsePartitions fetched(String topic, int partition) {
        return h.fetch(topic, partition).topics().get(0).partitions().get(0);
    }

    @Test
    void membersCommitAndFetchOffsets() {
        Stable stable = h.stableGroup(1);
        String a = stable.members().get(0);
        assertThat(commitError(h.commit(a, stable.generation(), "t", 0, 42, "meta", (short) 8))).isEqualTo(Errors.NONE);
        OffsetFetchResponsePartitions p = fetched("t", 0);
        assertThat(p.committedOffset()).isEqualTo(42);
        assertThat(p.committedLeaderEpoch()).isEqualTo(3);
        assertThat(p.metadata()).isEqualTo("meta");
        CommittedOffset stored = h.group().offsets().get(new org.apache.kafka.common.TopicPartition("t", 0));
        assertThat(stored.commitTimestampMs()).isEqualTo(h.clock.milliseconds());
        assertThat(stored.expireTimestampMs()).isEqualTo(-1);

        OffsetFetchResponsePartitions none = fetched("t", 7);
        assertThat(none.committedOffset()).isEqualTo(-1);
        assertThat(none.metadata()).isEmpty();
        assertThat(none.errorCode()).isZero();
    }

    @Test
    void fetchingAllOffsetsListsEveryCommittedPartitionInOrder() {
        h.commit("", -1, "b", 1, 11);
        h.commit("", -1, "a", 2, 22);
        h.commit("", -1, "b", 0, 10);
        OffsetFetchResponseGroup all = h.shard.fetchOffsets(GROUP, null, -1, null);
        assertThat(all.topics()).extracting(t -> t.name()).containsExactly("a", "b");
        assertThat(all.topics().get(1).partitions()).extracting(OffsetFetchResponsePartitions::committedOffset)
                .containsExactly(10L, 11L);
        assertThat(h.shard.fetchOffsets("other", null, -1, null).topics()).isEmpty();
    }

    @Test
    void aSimpleCommitCreatesAnEmptyGroupAndIsRefusedOnceTheGroupHasMembers() {
        assertThat(commitError(h.commit("", -1, "t", 0, 5))).isEqualTo(Errors.NONE);
        assertThat(h.state()).isEqualTo(GroupState.EMPTY);
        List<ListedGroup> listed = h.shard.listGroups(Set.of());
        assertThat(listed).extracting(ListedGroup::groupId, ListedGroup::groupState, ListedGroup::protocolType)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(GROUP, "Empty", ""));

        h.stableGroup(1);
        assertThat(commitError(h.commit("", -1, "t", 0, 6))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(fetched("t", 0).committedOffset()).isEqualTo(5);
        assertThat(h.shard.listGroups(Set.of("stable"))).hasSize(1);
        assertThat(h.shard.listGroups(Set.of("Empty"))).isEmpty();
    }

    @Test
    void aGenerationForAGroupThatDoesNotExistIsRefused() {
        assertThat(commitError(h.commit("m", 3, "t", 0, 5, "", (short) 8))).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(commitError(h.commit("m", 3, "t", 0, 5, "", (short) 9))).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(h.group()).isNull();
    }

    @Test
    void oversizedMetadataIsRefusedPerPartition() {
        OffsetCommitRequestData r = new OffsetCommitRequestData().setGroupId(GROUP).setMemberId("")
                .setGenerationIdOrMemberEpoch(-1);
        r.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1)
                        .setCommittedMetadata("x".repeat(h.config.offsetMetadataMaxBytes() + 1)),
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(1).setCommittedOffset(2)
                        .setCommittedMetadata(null))));
        var response = h.shard.commitOffsets(r, (short) 8);
        assertThat(response.topics().get(0).partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.OFFSET_METADATA_TOO_LARGE, Errors.NONE);
        assertThat(fetched("t", 0).committedOffset()).isEqualTo(-1);
        assertThat(fetched("t", 1).metadata()).as("null metadata is stored as empty").isEmpty();
    }

    @Test
    void offsetsOfEmptyGroupsExpireAndTheGroupGoesWithThem() {
        h.commit("", -1, "t", 0, 5);
        OffsetCommitRequestData explicit = new OffsetCommitRequestData().setGroupId("v2").setMemberId("")
                .setGenerationIdOrMemberEpoch(-1).setRetentionTimeMs(1_000);
        explicit.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1))));
        h.shard.commitOffsets(explicit, (short) 2);
        Stable stable = h.stableGroup(1);
        h.commit(stable.members().get(0), stable.generation(), "t", 1, 9);

        h.clock.advance(1_000);
        h.shard.expireOffsets();
        assertThat(h.shard.state().group("v2")).as("v2 retention_time_ms").isNull();
        // Keep the member alive past the retention: a group with members keeps its offsets.
        for (long t = 0; t <= h.config.offsetsRetentionMs(); t += 5_000) {
            h.heartbeat(stable.members().get(0), stable.generation());
            h.clock.advance(5_000);
        }
        h.shard.expireOffsets();
        assertThat(h.group().offsets()).hasSize(2);

        h.leave(new org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity()
                .setMemberId(stable.members().get(0)));
        assertThat(h.state()).isEqualTo(GroupState.EMPTY);
        h.clock.advance(h.config.offsetsRetentionMs() - 1);
        h.shard.expireOffsets();
        assertThat(h.group().offsets()).as("retention counts from when the group became empty").hasSize(2);
        h.clock.advance(1);
        h.shard.expireOffsets();
        assertThat(h.group()).isNull();
    }

    @Test
    void offsetDeleteRespectsSubscriptions() {
        h.commit("", -1, "t", 0, 5);
        h.commit("", -1, "other", 0, 6);
        Stable stable = h.stableGroup(1);
        OffsetDeleteResponseData response = h.shard.deleteOffsets(deleteRequest(GROUP, "t", "other"));
        assertThat(response.errorCode()).isZero();
        assertThat(response.topics().find("t").partitions().find(0).errorCode())
                .isEqualTo(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
        assertThat(response.topics().find("other").partitions().find(0).errorCode()).isZero();
        assertThat(h.group().offsets()).containsOnlyKeys(new org.apache.kafka.common.TopicPartition("t", 0));

        assertThat(h.shard.deleteOffsets(deleteRequest("missing", "t")).errorCode())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        h.leave(new org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity()
                .setMemberId(stable.members().get(0)));
        assertThat(h.shard.deleteOffsets(deleteRequest(GROUP, "t")).errorCode()).isZero();
        assertThat(h.group().offsets()).isEmpty();
    }

    @Test
    void otherProtocolTypesCannotDeleteOffsetsWhileActive() {
        JoinGroupRequestData connect = ShardHarness.joinRequest("", null).setProtocolType("connect");
        h.join(connect, 3);
        assertThat(h.shard.deleteOffsets(deleteRequest(GROUP, "t")).errorCode()).isEqualTo(Errors.NON_EMPTY_GROUP.code());
    }

    private static OffsetDeleteRequestData deleteRequest(String group, String... topics) {
        OffsetDeleteRequestData r = new OffsetDeleteRequestData().setGroupId(group);
        for (String t : topics) {
            OffsetDeleteRequestData.OffsetDeleteRequestTopic topic = new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(t);
            topic.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
            r.topics().add(topic);
        }
        return r;
    }

    @Test
    void describeAndDeleteGroups() {
        Stable stable = h.stableGroup(2);
        DescribedGroup described = h.shard.describeGroup(GROUP);
        assertThat(described.groupState()).isEqualTo("Stable");
        assertThat(described.protocolType()).isEqualTo("consumer");
        assertThat(described.protocolData()).isEqualTo("range");
        assertThat(described.members()).hasSize(2);
        assertThat(described.members().get(0).memberAssignment()).isNotEmpty();
        assertThat(described.members().get(0).memberMetadata()).isEqualTo(ShardHarness.subscription("t"));
        assertThat(described.members().get(0).clientHost()).isEqualTo("/127.0.0.1");
        h.commit(stable.members().get(0), stable.generation(), "t", 0, 1);

        assertThat(h.shard.deleteGroup(GROUP)).isEqualTo(Errors.NON_EMPTY_GROUP);
        stable.members().forEach(m -> h.leave(
                new org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity().setMemberId(m)));
        assertThat(h.shard.deleteGroup(GROUP)).isEqualTo(Errors.NONE);
        assertThat(h.group()).isNull();
        assertThat(h.shard.describeGroup(GROUP).groupState()).isEqualTo("Dead");
        assertThat(h.shard.deleteGroup(GROUP)).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(fetched("t", 0).committedOffset()).isEqualTo(-1);
    }
}
