package io.tributary.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code trib topics create <topic>}: partitions and replication factor default to the broker's settings
 * ({@code num.partitions}, {@code default.replication.factor}) when not given, as with Kafka's own tool.
 */
@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Create a topic.")
final class TopicsCreateCommand extends ClientCommand {
    @Parameters(paramLabel = "TOPIC", description = "The topic to create.")
    String topic;

    @Option(names = "--partitions", paramLabel = "N", description = "Number of partitions (default: the broker's).")
    Integer partitions;

    @Option(names = "--replication-factor", paramLabel = "N", description = "Replicas per partition (default: the broker's).")
    Integer replicationFactor;

    @Option(names = "--config", paramLabel = "KEY=VALUE", description = "A topic config; repeatable.")
    List<String> configs = new ArrayList<>();

    @Override
    protected int execute() throws Exception {
        if (partitions != null && partitions < 1) {
            throw new CommandFailure("--partitions must be at least 1, got " + partitions, 2);
        }
        if (replicationFactor != null && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
            throw new CommandFailure("--replication-factor must be between 1 and " + Short.MAX_VALUE + ", got "
                    + replicationFactor, 2);
        }
        NewTopic newTopic = new NewTopic(topic, Optional.ofNullable(partitions),
                Optional.ofNullable(replicationFactor).map(Integer::shortValue)).configs(keyValues(configs, "--config"));
        try (Admin admin = admin()) {
            CreateTopicsResult result = admin.createTopics(List.of(newTopic));
            result.all().get();
            out().printf("Created topic %s: %d partition(s), replication factor %d, id %s%n", topic,
                    result.numPartitions(topic).get(), result.replicationFactor(topic).get(), result.topicId(topic).get());
        }
        return 0;
    }

    static Map<String, String> keyValues(List<String> pairs, String option) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CommandFailure(option + " expects KEY=VALUE, got: " + pair, 2);
            }
            map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return map;
    }
}
