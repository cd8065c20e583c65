package io.tributary.cli;

import io.tributary.broker.Broker;
import io.tributary.broker.BrokerConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code trib start}: runs a broker in the foreground until SIGTERM or Ctrl-C, then shuts it down
 * cleanly and exits 0. With no options it is a single node on 127.0.0.1:9092 with data under ./data.
 */
@Command(name = "start", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Start a broker in the foreground.")
final class StartCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "A Kafka-style server.properties file.")
    Path configFile;

    @Option(names = "--override", paramLabel = "KEY=VALUE", description = "A setting that wins over the file; repeatable.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Properties props = new Properties();
        if (configFile != null) {
            try (Reader r = Files.newBufferedReader(configFile)) {
                props.load(r);
            } catch (IOException e) {
                System.err.println("Cannot read " + configFile + ": " + e.getMessage());
                return 2;
            }
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                System.err.println("--override expects KEY=VALUE, got: " + o);
                return 2;
            }
            props.setProperty(o.substring(0, eq).trim(), o.substring(eq + 1).trim());
        }
        BrokerConfig config;
        try {
            config = BrokerConfig.from(props);
        } catch (RuntimeException e) {
            System.err.println("Invalid configuration: " + e.getMessage());
            return 2;
        }
        Broker broker = Broker.start(config);
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        AtomicReference<Throwable> fatal = new AtomicReference<>();
        broker.metadataStarted().whenComplete((ok, e) -> {
            if (e != null) {
                fatal.set(e instanceof CompletionException ? e.getCause() : e);
                stop.countDown();
            }
        });
        var address = broker.boundAddress();
        long startMs = broker.startMs(System.nanoTime());
        System.out.printf("Tributary %s ready on %s:%d (node %d, data %s)%n", Trib.version(),
                config.advertisedHost, address.getPort(), config.nodeId,
                String.join(",", config.logDirs.stream().map(Path::toString).toList()));
        System.out.flush();
        System.err.printf("Started in %d ms%s%n", startMs,
                broker.fastRestart() ? " (metadata of the last clean shutdown; Raft starting in the background)"
                        : broker.newCluster() ? " (new cluster; Raft starting in the background)" : "");
        stop.await();
        broker.close();
        if (fatal.get() != null) {
            System.err.println("Tributary stopped: the metadata quorum could not start: " + fatal.get().getMessage());
            return 1;
        }
        System.out.println("Tributary stopped cleanly");
        return 0;
    }
}
