package io.tributary.cli;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trib topics list}: every topic with its partition count and replication factor, sorted by name. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "List topics.")
final class TopicsListCommand extends ClientCommand {
    @Option(names = "--internal", description = "Include internal topics such as __consumer_offsets.")
    boolean internal;

    @Override
    protected int execute() throws Exception {
        try (Admin admin = admin()) {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(internal)).names().get();
            Map<String, TopicDescription> described = new TreeMap<>(admin.describeTopics(names).allTopicNames().get());
            TextTable table = new TextTable("TOPIC", "PARTITIONS", "REPLICATION-FACTOR");
            for (TopicDescription d : described.values()) {
                table.row(d.name(), d.partitions().size(), TopicsDescribeCommand.replicationFactor(d));
            }
            table.print(out());
        }
        return 0;
    }
}
