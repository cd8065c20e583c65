package io.tributary.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trib configs alter}: sets and removes configs in one IncrementalAlterConfigs request, so the broker applies
 * all of them or none. Removing a config makes the next level (broker default, then built-in default) apply again.
 */
@Command(name = "alter", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Set or delete configs of a topic or broker; all changes apply together or not at all.")
final class ConfigsAlterCommand extends ClientCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    ConfigTarget target;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A config to set; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--delete", paramLabel = "KEY", description = "A config to remove; repeatable.")
    List<String> deletes = new ArrayList<>();

    @Override
    protected int execute() throws Exception {
        Map<String, String> toSet = TopicsCreateCommand.keyValues(sets, "--set");
        Set<String> toDelete = new LinkedHashSet<>();
        for (String key : deletes) {
            if (key.isBlank() || key.contains("=")) {
                throw new CommandFailure("--delete expects a config name, got: " + key, 2);
            }
            toDelete.add(key.trim());
        }
        if (toSet.isEmpty() && toDelete.isEmpty()) {
            throw new CommandFailure("Nothing to change: give --set KEY=VALUE and/or --delete KEY", 2);
        }
        for (String key : toDelete) {
            if (toSet.containsKey(key)) {
                throw new CommandFailure("Config " + key + " is both set and deleted", 2);
            }
        }
        Collection<AlterConfigOp> ops = new ArrayList<>();
        toSet.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        toDelete.forEach(k -> ops.add(new AlterConfigOp(new ConfigEntry(k, null), AlterConfigOp.OpType.DELETE)));
        try (Admin admin = admin()) {
            ConfigResource resource = target.resource(admin);
            try {
                admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get();
            } catch (Exception e) {
                throw target.translate(Failures.unwrap(e));
            }
        }
        List<String> parts = new ArrayList<>();
        if (!toSet.isEmpty()) {
            List<String> pairs = new ArrayList<>();
            toSet.forEach((k, v) -> pairs.add(k + "=" + v));
            parts.add("set " + String.join(",", pairs));
        }
        if (!toDelete.isEmpty()) {
            parts.add("deleted " + String.join(",", toDelete));
        }
        out().println("Updated " + target.describe() + ": " + String.join("; ", parts));
        return 0;
    }
}
