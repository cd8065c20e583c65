package io.tributary.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/**
 * The options every wire command shares, as a picocli mixin: where the brokers are, a file of client properties
 * for anything else (security, timeouts) and whether failures show their stack trace. The file is read once and
 * then layered under what the command itself decides, so {@code --bootstrap-server} always wins, the way Kafka's
 * own tools do it.
 */
final class ClientOptions {
    static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT", defaultValue = DEFAULT_BOOTSTRAP,
            description = "Broker(s) to connect to, comma-separated (default: ${DEFAULT-VALUE}).")
    String bootstrapServer;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Client properties (security, timeouts...) passed to the Kafka client.")
    Path commandConfig;

    @Option(names = "--verbose", description = "Show the stack trace of a failure.")
    boolean verbose;

    /** The command-config properties with the bootstrap servers on top; a fresh map callers may add to. */
    Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        if (commandConfig != null) {
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(commandConfig)) {
                props.load(r);
            } catch (IOException e) {
                throw new CommandFailure("Cannot read command config " + commandConfig + ": " + e.getMessage());
            }
            props.stringPropertyNames().forEach(k -> config.put(k, props.getProperty(k)));
        }
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServer);
        return config;
    }
}
