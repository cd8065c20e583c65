package io.tributary.cli;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code trib topics add-partitions <topic> --count N}: grows the topic to N partitions (CreatePartitions). Kafka
 * can only add partitions, never remove them, and adding changes which partition a key hashes to, so the command
 * says plainly when N would not be an increase instead of passing a vaguer broker error along.
 */
@Command(name = "add-partitions", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Increase a topic's partition count (partitions can only be added).")
final class TopicsAddPartitionsCommand extends ClientCommand {
    @Parameters(paramLabel = "TOPIC", description = "The topic to grow.")
    String topic;

    @Option(names = "--count", paramLabel = "N", required = true,
            description = "The new total number of partitions; more than the topic has now.")
    int count;

    @Override
    protected int execute() throws Exception {
        if (count < 1) {
            throw new CommandFailure("--count must be at least 1, got " + count, 2);
        }
        int before;
        try (Admin admin = admin()) {
            TopicDescription d = TopicsDescribeCommand.describeOne(admin, topic);
            before = d.partitions().size();
            if (count <= before) {
                throw new CommandFailure("Topic '" + topic + "' already has " + before + " partition(s); --count "
                        + count + " is not an increase (partitions can only be added)");
            }
            try {
                admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(count))).all().get();
            } catch (Exception e) {
                throw TopicsDescribeCommand.missingTopic(Failures.unwrap(e), topic);
            }
        }
        out().printf("Topic %s now has %d partition(s) (added %d)%n", topic, count, count - before);
        return 0;
    }
}
