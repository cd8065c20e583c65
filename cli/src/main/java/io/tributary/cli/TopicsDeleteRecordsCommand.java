package io.tributary.cli;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code trib topics delete-records <topic> --partition P --before OFFSET}: moves the partition's log start offset
 * up to OFFSET (DeleteRecords), so the records below it are no longer readable and their segments get deleted.
 * The broker refuses an offset beyond the high watermark; {@code -1} means "up to the high watermark", as with
 * Kafka's own tool.
 */
@Command(name = "delete-records", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Delete the records of a partition below an offset.")
final class TopicsDeleteRecordsCommand extends ClientCommand {
    @Parameters(paramLabel = "TOPIC", description = "The topic.")
    String topic;

    @Option(names = "--partition", paramLabel = "P", required = true, description = "The partition.")
    int partition;

    @Option(names = "--before", paramLabel = "OFFSET", required = true,
            description = "Delete every record below this offset; -1 deletes up to the high watermark.")
    long before;

    @Override
    protected int execute() throws Exception {
        if (partition < 0) {
            throw new CommandFailure("--partition must be at least 0, got " + partition, 2);
        }
        if (before < -1) {
            throw new CommandFailure("--before must be an offset (>= 0) or -1, got " + before, 2);
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        DeletedRecords deleted;
        try (Admin admin = admin()) {
            // Checked first: the Admin client keeps retrying a partition its metadata does not know.
            TopicDescription d = TopicsDescribeCommand.describeOne(admin, topic);
            if (partition >= d.partitions().size()) {
                throw new CommandFailure("Topic '" + topic + "' has no partition " + partition + " (it has "
                        + d.partitions().size() + ")");
            }
            deleted = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(before))).lowWatermarks().get(tp)
                    .get();
        }
        out().println("Deleted records of " + tp + " before " + (before == -1 ? "the high watermark" : "offset " + before)
                + "; log start offset is now " + deleted.lowWatermark());
        return 0;
    }
}
