package io.tributary.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code trib produce <topic>}: each line of stdin becomes one record (an empty line an empty value). Sends are
 * asynchronous so a piped file goes out in batches; the first failed send stops reading, and the command waits for
 * everything already sent before it reports, so the count it prints is what the broker acknowledged.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Produce the lines of stdin as records.")
final class ProduceCommand extends ClientCommand {
    private static final Duration CLOSE_ON_SIGNAL = Duration.ofSeconds(10);

    @Parameters(paramLabel = "TOPIC", description = "The topic to produce to.")
    String topic;

    @Option(names = "--key-separator", paramLabel = "SEP",
            description = "Split each line at the first SEP: the text before it is the key, after it the value.")
    String keySeparator;

    @Option(names = "--partition", paramLabel = "P", description = "Send every record to this partition.")
    Integer partition;

    @Option(names = "--acks", paramLabel = "all|1|0", defaultValue = "all",
            description = "Acknowledgements to wait for (default: ${DEFAULT-VALUE}).")
    String acks;

    @Override
    protected int execute() throws Exception {
        if (!acks.equals("all") && !acks.equals("-1") && !acks.equals("1") && !acks.equals("0")) {
            throw new CommandFailure("--acks must be all, 1 or 0, got: " + acks, 2);
        }
        if (keySeparator != null && keySeparator.isEmpty()) {
            throw new CommandFailure("--key-separator must not be empty", 2);
        }
        if (partition != null && partition < 0) {
            throw new CommandFailure("--partition must not be negative, got " + partition, 2);
        }
        Map<String, Object> config = client.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, acks);
        if (!acks.equals("all") && !acks.equals("-1")) {
            // The idempotent producer requires acks=all and refuses to start otherwise.
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        }
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        CommandFailure badLine;
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            // Typing at a terminal ends with Ctrl-C as often as Ctrl-D: deliver what was already sent either way.
            Thread hook = new Thread(() -> producer.close(CLOSE_ON_SIGNAL), "trib-produce-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                badLine = sendLines(producer, acked, failure);
                producer.flush();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is already closing the producer.
                }
            }
        }
        Exception e = failure.get();
        if (e != null) {
            String message = Failures.describe(e, client.bootstrapServer);
            if (e instanceof TimeoutException && message.contains("not present in metadata")) {
                message = "Topic '" + topic + "' not found: " + message;
            }
            throw new CommandFailure(message + " (" + acked.get() + " record(s) produced)");
        }
        out().printf("Produced %d record(s) to %s%n", acked.get(), topic);
        if (badLine != null) {
            throw badLine;
        }
        return 0;
    }

    /** Sends stdin line by line until it ends, a send fails, or a line lacks the key separator (returned). */
    private CommandFailure sendLines(KafkaProducer<byte[], byte[]> producer, AtomicLong acked,
            AtomicReference<Exception> failure) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        long lineNumber = 0;
        String line;
        while (failure.get() == null && (line = in.readLine()) != null) {
            lineNumber++;
            byte[] key = null;
            String value = line;
            if (keySeparator != null) {
                int at = line.indexOf(keySeparator);
                if (at < 0) {
                    return new CommandFailure("Line " + lineNumber + " has no key separator '" + keySeparator
                            + "'; it and the lines after it were not sent");
                }
                key = line.substring(0, at).getBytes(StandardCharsets.UTF_8);
                value = line.substring(at + keySeparator.length());
            }
            producer.send(new ProducerRecord<>(topic, partition, key, value.getBytes(StandardCharsets.UTF_8)),
                    (metadata, e) -> {
                        if (e == null) {
                            acked.incrementAndGet();
                        } else {
                            failure.compareAndSet(null, e);
                        }
                    });
        }
        return null;
    }
}
