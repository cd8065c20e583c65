package io.tributary.cli;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trib configs describe}: one row per config with its value and where the value comes from. By default only
 * values somebody set (on the topic, the broker or as the broker default) are shown, like Kafka's
 * {@code kafka-configs --describe}; {@code --all} adds the static and built-in defaults.
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Show the configs set on a topic or broker (--all: every config with its effective value).")
final class ConfigsDescribeCommand extends ClientCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    ConfigTarget target;

    @Option(names = "--all", description = "Also show configs left at their static or built-in default.")
    boolean all;

    @Override
    protected int execute() throws Exception {
        Config config;
        try (Admin admin = admin()) {
            ConfigResource resource = target.resource(admin);
            try {
                config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            } catch (Exception e) {
                throw target.translate(Failures.unwrap(e));
            }
        }
        TextTable table = new TextTable("NAME", "VALUE", "SOURCE");
        config.entries().stream()
                .filter(e -> all || isSet(e.source()))
                .sorted(Comparator.comparing(ConfigEntry::name))
                .forEach(e -> table.row(e.name(), e.isSensitive() ? "(sensitive)" : e.value(), source(e.source())));
        table.print(out());
        return 0;
    }

    /** Whether somebody chose the value, as opposed to it being a file or built-in default. */
    static boolean isSet(ConfigEntry.ConfigSource source) {
        return switch (source) {
            case DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG,
                 DYNAMIC_BROKER_LOGGER_CONFIG, DYNAMIC_CLIENT_METRICS_CONFIG, DYNAMIC_GROUP_CONFIG -> true;
            default -> false;
        };
    }

    /** Short names for the SOURCE column; the enum names are long and say "CONFIG" every time. */
    static String source(ConfigEntry.ConfigSource source) {
        return switch (source) {
            case DYNAMIC_TOPIC_CONFIG -> "topic";
            case DYNAMIC_BROKER_CONFIG -> "broker";
            case DYNAMIC_DEFAULT_BROKER_CONFIG -> "broker-default";
            case STATIC_BROKER_CONFIG -> "static";
            case DEFAULT_CONFIG -> "default";
            default -> source.name().toLowerCase(Locale.ROOT).replace('_', '-');
        };
    }
}
