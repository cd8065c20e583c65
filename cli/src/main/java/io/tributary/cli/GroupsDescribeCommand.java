package io.tributary.cli;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code trib groups describe <group>}: who is in the group and how far behind it is. Lag is the log-end offset
 * (what a consumer would reach by reading everything) minus the committed offset, per partition the group either
 * committed or is assigned; a partition with no committed offset has no lag to report and is left out of the
 * total rather than guessed.
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Describe a group: members, committed offsets, log-end offsets and lag.")
final class GroupsDescribeCommand extends ClientCommand {
    static final Comparator<TopicPartition> PARTITION_ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    @Parameters(paramLabel = "GROUP", description = "The group to describe.")
    String group;

    @Override
    protected int execute() throws Exception {
        ConsumerGroupDescription d;
        Map<TopicPartition, Long> committed;
        Map<TopicPartition, Long> logEnd;
        Map<TopicPartition, MemberDescription> owners = new HashMap<>();
        TreeSet<TopicPartition> partitions = new TreeSet<>(PARTITION_ORDER);
        try (Admin admin = admin()) {
            d = GroupQueries.describe(admin, group)
                    .orElseThrow(() -> new CommandFailure("Group '" + group + "' does not exist"));
            committed = GroupQueries.committed(admin, group);
            for (MemberDescription m : d.members()) {
                m.assignment().topicPartitions().forEach(tp -> owners.put(tp, m));
            }
            partitions.addAll(committed.keySet());
            partitions.addAll(owners.keySet());
            logEnd = GroupQueries.logOffsets(admin, partitions, OffsetSpec.latest());
        }
        PrintWriter out = out();
        out.println("Group: " + d.groupId());
        out.println("State: " + d.groupState());
        out.println("Type: " + d.type());
        out.println("Assignor: " + (d.partitionAssignor() == null || d.partitionAssignor().isEmpty() ? "-" : d.partitionAssignor()));
        out.println("Coordinator: " + (d.coordinator() == null ? "-"
                : d.coordinator().id() + " (" + d.coordinator().host() + ":" + d.coordinator().port() + ")"));
        out.println("Members: " + d.members().size());
        if (!d.members().isEmpty()) {
            out.println();
            TextTable members = new TextTable("MEMBER-ID", "CLIENT-ID", "HOST", "ASSIGNMENT");
            d.members().stream().sorted(Comparator.comparing(MemberDescription::consumerId))
                    .forEach(m -> members.row(m.consumerId(), m.clientId(), m.host(), assignment(m)));
            members.print(out);
        }
        out.println();
        TextTable offsets = new TextTable("TOPIC", "PARTITION", "COMMITTED-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID");
        long totalLag = 0;
        for (TopicPartition tp : partitions) {
            Long c = committed.get(tp);
            Long end = logEnd.get(tp);
            Long lag = c == null || end == null ? null : Math.max(0, end - c);
            if (lag != null) {
                totalLag += lag;
            }
            MemberDescription owner = owners.get(tp);
            offsets.row(tp.topic(), tp.partition(), c, end, lag, owner == null ? null : owner.consumerId());
        }
        offsets.print(out);
        out.println();
        out.println("Total lag: " + totalLag);
        return 0;
    }

    /** {@code topic:0,1;other:3}: partitions grouped by topic, both sorted. */
    private static String assignment(MemberDescription m) {
        Map<String, TreeSet<Integer>> byTopic = new TreeMap<>();
        m.assignment().topicPartitions()
                .forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition()));
        return byTopic.entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue().stream().map(String::valueOf).collect(Collectors.joining(",")))
                .collect(Collectors.joining(";"));
    }
}
