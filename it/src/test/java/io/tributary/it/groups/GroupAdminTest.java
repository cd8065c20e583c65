package io.tributary.it.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Await;
import io.tributary.it.Clients;
import io.tributary.it.TestBroker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@code kafka-consumer-groups.sh} shows and does, through the Admin client: list groups with their state,
 * describe members and their assignments, and delete a group, which Kafka refuses while it has members; for a
 * group of either protocol.
 */
class GroupAdminTest extends BrokerPerClass {
    @ParameterizedTest(name = "{0}")
    @EnumSource(GroupProtocol.class)
    @SuppressWarnings("deprecation") // listConsumerGroups is what existing tooling calls; listGroups is checked too
    void listDescribeAndDeleteAGroup(GroupProtocol protocol) throws Exception {
        String topic = "admin-topic-" + protocol;
        String group = "admin-group-" + protocol;
        // A classic group is described through DescribeGroups, a consumer-protocol one through ConsumerGroupDescribe.
        GroupType type = protocol == GroupProtocol.CLASSIC ? GroupType.CLASSIC : GroupType.CONSUMER;
        int partitions = 4;
        Clients.createTopic(broker.bootstrap(), topic, partitions);
        GroupClients.produce(broker.bootstrap(), topic, partitions, 400);
        Ledger ledger = new Ledger();
        List<GroupMember> members = new ArrayList<>();
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            for (int i = 0; i < 2; i++) {
                members.add(GroupMember.start("a" + i, GroupClients.consumerProps(broker.bootstrap(), group,
                        protocol, Map.of("client.id", "admin-test-" + i)), topic, (m, r) -> ledger.record(m.name(), r)));
            }
            GroupMember.awaitSteady(members, partitions);
            Await.until(Clients.TIMEOUT, "the records to be consumed", () -> ledger.count() >= 400);

            Collection<ConsumerGroupListing> listed = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS);
            assertThat(listed).filteredOn(l -> l.groupId().equals(group)).singleElement().satisfies(l -> {
                assertThat(l.groupState()).contains(GroupState.STABLE);
                assertThat(l.isSimpleConsumerGroup()).isFalse();
            });
            assertThat(admin.listConsumerGroups(new ListConsumerGroupsOptions().inGroupStates(Set.of(GroupState.EMPTY)))
                    .all().get(30, TimeUnit.SECONDS)).extracting(ConsumerGroupListing::groupId).doesNotContain(group);
            Collection<GroupListing> groups = admin.listGroups(ListGroupsOptions.forConsumerGroups())
                    .all().get(30, TimeUnit.SECONDS);
            assertThat(groups).filteredOn(l -> l.groupId().equals(group)).singleElement().satisfies(l -> {
                assertThat(l.type()).contains(type);
                assertThat(l.protocol()).isEqualTo("consumer");
                assertThat(l.groupState()).contains(GroupState.STABLE);
            });

            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(30, TimeUnit.SECONDS);
            assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(d.type()).isEqualTo(type);
            // The classic client's default assignor list starts with range; the broker's default is uniform.
            assertThat(d.partitionAssignor()).isEqualTo(protocol == GroupProtocol.CLASSIC ? "range" : "uniform");
            assertThat(d.isSimpleConsumerGroup()).isFalse();
            assertThat(d.coordinator().id()).isEqualTo(TestBroker.NODE_ID);
            Map<String, MemberDescription> byId = new HashMap<>();
            d.members().forEach(m -> byId.put(m.consumerId(), m));
            assertThat(byId).hasSize(2);
            for (int i = 0; i < 2; i++) {
                GroupMember m = members.get(i);
                MemberDescription md = byId.get(m.memberId());
                assertThat(md).as("description of %s (%s) in %s", m.name(), m.memberId(), d).isNotNull();
                assertThat(md.clientId()).isEqualTo("admin-test-" + i);
                assertThat(md.host()).contains("127.0.0.1");
                assertThat(md.groupInstanceId()).isEqualTo(Optional.empty());
                assertThat(md.assignment().topicPartitions()).isEqualTo(m.assignment());
            }

            assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GroupNotEmptyException.class);
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS))
                    .as("a refused delete leaves the offsets alone").hasSize(partitions);

            GroupMember.closeAll(members);
            members.clear();
            Await.until(Clients.TIMEOUT, "the group to be empty once its members left", () -> {
                ConsumerGroupDescription empty = admin.describeConsumerGroups(List.of(group)).describedGroups()
                        .get(group).get(30, TimeUnit.SECONDS);
                return empty.groupState() == GroupState.EMPTY && empty.members().isEmpty();
            });
            assertThat(admin.listConsumerGroups(new ListConsumerGroupsOptions().inGroupStates(Set.of(GroupState.EMPTY)))
                    .all().get(30, TimeUnit.SECONDS)).extracting(ConsumerGroupListing::groupId).contains(group);

            admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS))
                    .extracting(ConsumerGroupListing::groupId).doesNotContain(group);
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(offsets).as("offsets of the deleted group").isEmpty();
            assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS))
                    .as("deleting it again").isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(GroupIdNotFoundException.class);
        } finally {
            GroupMember.closeAll(members);
        }
    }
}
