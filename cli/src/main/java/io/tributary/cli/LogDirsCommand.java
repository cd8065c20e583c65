package io.tributary.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trib logdirs}: where each broker keeps its data and how full that disk is (DescribeLogDirs). The first
 * table has one row per log directory: the file system's total and usable bytes, the bytes used on it (total minus
 * usable, whoever wrote them), how many partitions live there and how many bytes their logs take. A directory the
 * broker took offline after an I/O error shows that error in STATUS. The second table lists each partition's size.
 */
@Command(name = "logdirs", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Show each broker's log directories: disk total/usable/used bytes and partition sizes.")
final class LogDirsCommand extends ClientCommand {
    @Option(names = "--broker", paramLabel = "ID", description = "Only this broker (default: every broker).")
    Integer broker;

    @Override
    protected int execute() throws Exception {
        Map<Integer, Map<String, LogDirDescription>> byBroker;
        try (Admin admin = admin()) {
            Set<Integer> ids;
            if (broker != null) {
                ClusterBrokers.requireKnown(admin, broker);
                ids = Set.of(broker);
            } else {
                ids = ClusterBrokers.ids(admin);
            }
            byBroker = new TreeMap<>(admin.describeLogDirs(ids).allDescriptions().get());
        }
        TextTable dirs = new TextTable("BROKER", "DIR", "TOTAL-BYTES", "USABLE-BYTES", "USED-BYTES", "PARTITIONS",
                "LOG-BYTES", "STATUS");
        TextTable partitions = new TextTable("BROKER", "DIR", "TOPIC", "PARTITION", "SIZE-BYTES");
        for (Map.Entry<Integer, Map<String, LogDirDescription>> b : byBroker.entrySet()) {
            for (Map.Entry<String, LogDirDescription> d : new TreeMap<>(b.getValue()).entrySet()) {
                LogDirDescription dir = d.getValue();
                long logBytes = 0;
                List<Map.Entry<TopicPartition, ReplicaInfo>> replicas = new ArrayList<>(dir.replicaInfos().entrySet());
                replicas.sort(Map.Entry.comparingByKey(
                        (x, y) -> x.topic().equals(y.topic()) ? Integer.compare(x.partition(), y.partition())
                                : x.topic().compareTo(y.topic())));
                for (Map.Entry<TopicPartition, ReplicaInfo> r : replicas) {
                    logBytes += r.getValue().size();
                    partitions.row(b.getKey(), d.getKey(), r.getKey().topic(), r.getKey().partition(),
                            r.getValue().size());
                }
                OptionalLong total = dir.totalBytes();
                OptionalLong usable = dir.usableBytes();
                String used = total.isPresent() && usable.isPresent()
                        ? Long.toString(total.getAsLong() - usable.getAsLong()) : null;
                dirs.row(b.getKey(), d.getKey(), bytes(total), bytes(usable), used, replicas.size(), logBytes,
                        status(dir.error()));
            }
        }
        var out = out();
        dirs.print(out);
        out.println();
        partitions.print(out);
        return 0;
    }

    private static String bytes(OptionalLong value) {
        return value.isPresent() ? Long.toString(value.getAsLong()) : null;
    }

    private static String status(ApiException error) {
        return error == null ? "online" : Errors.forException(error).name();
    }
}
