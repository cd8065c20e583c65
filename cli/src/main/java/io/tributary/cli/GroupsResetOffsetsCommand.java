package io.tributary.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code trib groups reset-offsets <group> --topic T <target> [--execute]}: moves a group's committed offsets.
 * By default it only prints the plan; {@code --execute} commits it. Running consumers keep their positions in
 * memory and would overwrite a reset with their next commit, so, as in Kafka, the group must have no active
 * members: the command refuses up front, and the coordinator rejects the commit too if a member joins in between.
 */
@Command(name = "reset-offsets", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Reset a group's committed offsets (dry run unless --execute).")
final class GroupsResetOffsetsCommand extends ClientCommand {
    @Parameters(paramLabel = "GROUP", description = "The group whose offsets to reset.")
    String group;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC[:P,...]",
            description = "A topic, optionally limited to some partitions (orders:0,2); repeatable.")
    List<String> topics = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "1")
    ResetTarget target;

    @Option(names = "--execute", description = "Commit the new offsets (otherwise only print the plan).")
    boolean execute;

    @Override
    protected int execute() throws Exception {
        Map<TopicPartition, Long> committed;
        Map<TopicPartition, Long> plan = new TreeMap<>(GroupsDescribeCommand.PARTITION_ORDER);
        try (Admin admin = admin()) {
            refuseIfActive(GroupQueries.describe(admin, group));
            TreeSet<TopicPartition> partitions = resolve(admin);
            committed = GroupQueries.committed(admin, group);
            if (target.needsCommitted()) {
                List<TopicPartition> missing = partitions.stream().filter(tp -> !committed.containsKey(tp)).toList();
                if (!missing.isEmpty()) {
                    throw new CommandFailure("--shift-by needs a committed offset, and group '" + group + "' has none for "
                            + missing.stream().map(TopicPartition::toString).toList());
                }
            }
            Map<TopicPartition, Long> earliest = GroupQueries.logOffsets(admin, partitions, OffsetSpec.earliest());
            Map<TopicPartition, Long> latest = GroupQueries.logOffsets(admin, partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> byTime = target.needsTimestampLookup()
                    ? GroupQueries.logOffsets(admin, partitions, OffsetSpec.forTimestamp(target.timestampMs()))
                    : Map.of();
            for (TopicPartition tp : partitions) {
                Long low = earliest.get(tp);
                Long high = latest.get(tp);
                if (low == null || high == null) {
                    throw new CommandFailure("Partition " + tp + " disappeared while planning the reset");
                }
                long wanted = target.target(committed.get(tp), low, high, byTime.getOrDefault(tp, -1L));
                long clamped = Math.max(low, Math.min(high, wanted));
                if (clamped != wanted) {
                    err().printf("Note: offset %d of %s is outside [%d, %d]; using %d%n", wanted, tp, low, high, clamped);
                }
                plan.put(tp, clamped);
            }
            printPlan(committed, plan);
            if (execute) {
                commit(admin, plan);
            }
        }
        if (execute) {
            out().printf("Committed new offsets for %d partition(s) of group %s%n", plan.size(), group);
        } else {
            out().println("Dry run: no offsets changed. Add --execute to commit this plan.");
        }
        return 0;
    }

    /** Kafka's rule: only an Empty group (or one that does not exist yet) may have its offsets reset. */
    private void refuseIfActive(Optional<ConsumerGroupDescription> description) {
        if (description.isEmpty()) {
            return;
        }
        ConsumerGroupDescription d = description.get();
        if (d.groupState() != GroupState.EMPTY || !d.members().isEmpty()) {
            throw new CommandFailure("Group '" + group + "' has " + d.members().size() + " active member(s) (state "
                    + d.groupState() + "); stop its consumers before resetting offsets");
        }
    }

    /** The partitions named by the --topic options, checked against the topics' actual partitions. */
    private TreeSet<TopicPartition> resolve(Admin admin) throws Exception {
        Map<String, List<Integer>> wanted = new LinkedHashMap<>();
        for (String spec : topics) {
            int colon = spec.lastIndexOf(':');
            String topic = colon < 0 ? spec : spec.substring(0, colon);
            List<Integer> parts = wanted.computeIfAbsent(topic, t -> new ArrayList<>());
            if (colon >= 0) {
                for (String p : spec.substring(colon + 1).split(",")) {
                    try {
                        parts.add(Integer.parseInt(p.trim()));
                    } catch (NumberFormatException e) {
                        throw new CommandFailure("--topic expects TOPIC or TOPIC:P,P..., got: " + spec, 2);
                    }
                }
            }
        }
        TreeSet<TopicPartition> out = new TreeSet<>(GroupsDescribeCommand.PARTITION_ORDER);
        for (Map.Entry<String, List<Integer>> e : wanted.entrySet()) {
            TopicDescription d;
            try {
                d = admin.describeTopics(List.of(e.getKey())).allTopicNames().get().get(e.getKey());
            } catch (Exception ex) {
                throw TopicsDescribeCommand.missingTopic(Failures.unwrap(ex), e.getKey());
            }
            TreeSet<Integer> existing = new TreeSet<>();
            d.partitions().stream().map(TopicPartitionInfo::partition).forEach(existing::add);
            for (int p : e.getValue()) {
                if (!existing.contains(p)) {
                    throw new CommandFailure("Topic '" + e.getKey() + "' has no partition " + p);
                }
            }
            (e.getValue().isEmpty() ? existing : e.getValue()).forEach(p -> out.add(new TopicPartition(e.getKey(), p)));
        }
        return out;
    }

    private void printPlan(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> plan) {
        PrintWriter out = out();
        out.println("Group: " + group + ", reset to " + target);
        out.println();
        TextTable table = new TextTable("TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET");
        plan.forEach((tp, offset) -> table.row(tp.topic(), tp.partition(), committed.get(tp), offset));
        table.print(out);
        out.println();
    }

    private void commit(Admin admin, Map<TopicPartition, Long> plan) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        plan.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
        try {
            admin.alterConsumerGroupOffsets(group, offsets).all().get();
        } catch (Exception e) {
            Throwable cause = Failures.unwrap(e);
            if (cause instanceof UnknownMemberIdException || cause instanceof IllegalGenerationException
                    || cause instanceof RebalanceInProgressException || cause instanceof GroupNotEmptyException) {
                throw new CommandFailure("Group '" + group + "' gained active members during the reset; nothing was"
                        + " committed. Stop its consumers and try again");
            }
            throw e;
        }
    }
}
