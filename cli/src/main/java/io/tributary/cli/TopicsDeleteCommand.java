package io.tributary.cli;

import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code trib topics delete <topic>}: deletes the topic and its data. */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Delete a topic and all its records.")
final class TopicsDeleteCommand extends ClientCommand {
    @Parameters(paramLabel = "TOPIC", description = "The topic to delete.")
    String topic;

    @Override
    protected int execute() throws Exception {
        try (Admin admin = admin()) {
            try {
                admin.deleteTopics(List.of(topic)).all().get();
            } catch (Exception e) {
                throw TopicsDescribeCommand.missingTopic(Failures.unwrap(e), topic);
            }
        }
        out().println("Deleted topic " + topic);
        return 0;
    }
}
