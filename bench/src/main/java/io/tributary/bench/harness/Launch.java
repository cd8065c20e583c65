package io.tributary.bench.harness;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Starts a broker and times how long it takes to become usable, from the moment of exec.
 *
 * <p>The timer has to start where the broker's own process starts, so this launcher is the broker's parent: it
 * warms up its probe, takes the clock, execs the broker (output appended to a log file), then polls it with a
 * {@link ReadyProbe} every few milliseconds and watches the log for the broker's own "I am ready" line. When the
 * probe succeeds it writes a small properties file ({@code status}, {@code pid}, {@code ready_ms},
 * {@code logline_ms}) that run.sh waits for, and then simply waits for the broker to exit. Polling sleeps between
 * attempts, so the launcher takes next to no CPU away from the broker it is timing.
 *
 * <p>Usage: {@code Launch --host H --port P --log FILE --ready-file FILE [--log-pattern REGEX] [--timeout-s N]
 * -- command...}. Exit status: the broker's, or 1 if it never became ready.
 */
public final class Launch {

    private static final long POLL_MS = 10;
    /** After the probe succeeds, how long to keep watching for the log line before giving up on it. */
    private static final long LOG_LINE_GRACE_MS = 5_000;

    private Launch() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        ReadyProbe.preload();
        ReadyProbe probe = new ReadyProbe(options.host, options.port);
        LogWatcher watcher = new LogWatcher(options.log, options.logPattern);

        long startNanos = System.nanoTime();
        Process broker = new ProcessBuilder(options.command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(options.log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(broker), "stop-broker"));

        long readyMs = -1;
        long logLineMs = -1;
        long deadlineNanos = startNanos + TimeUnit.SECONDS.toNanos(options.timeoutS);
        while (true) {
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            if (logLineMs < 0 && watcher.matched()) {
                logLineMs = elapsedMs;
            }
            if (readyMs < 0 && probe.isReady()) {
                readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            }
            boolean logSettled = logLineMs >= 0 || options.logPattern == null
                    || (readyMs >= 0 && elapsedMs - readyMs > LOG_LINE_GRACE_MS);
            if (readyMs >= 0 && logSettled) {
                break;
            }
            if (!broker.isAlive()) {
                writeResult(options.readyFile, "failed", broker.pid(), readyMs, logLineMs,
                        "broker exited with status " + broker.exitValue() + " before it was ready");
                System.exit(1);
            }
            if (System.nanoTime() > deadlineNanos) {
                writeResult(options.readyFile, "failed", broker.pid(), readyMs, logLineMs,
                        "not ready after " + options.timeoutS + " s");
                stop(broker);
                System.exit(1);
            }
            Thread.sleep(POLL_MS);
        }
        writeResult(options.readyFile, "ready", broker.pid(), readyMs, logLineMs, "");
        System.exit(broker.waitFor());
    }

    private static void stop(Process broker) {
        if (!broker.isAlive()) {
            return;
        }
        broker.destroy();
        try {
            if (!broker.waitFor(60, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        } catch (InterruptedException e) {
            broker.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Written to a temp file and renamed, so run.sh never reads half of it. */
    private static void writeResult(Path file, String status, long pid, long readyMs, long logLineMs, String reason)
            throws IOException {
        String text = "status=" + status + "\npid=" + pid + "\nready_ms=" + readyMs + "\nlogline_ms=" + logLineMs
                + "\nreason=" + reason.replace('\n', ' ') + "\n";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Follows a growing log file and remembers whether any complete line has matched. */
    private static final class LogWatcher {
        private final Path log;
        private final Pattern pattern;
        private final StringBuilder partialLine = new StringBuilder();
        private long position;
        private boolean matched;

        LogWatcher(Path log, Pattern pattern) throws IOException {
            this.log = log;
            this.pattern = pattern;
            // The log is opened in append mode, so only what the broker writes from now on is ours.
            this.position = Files.exists(log) ? Files.size(log) : 0;
        }

        boolean matched() throws IOException {
            if (matched || pattern == null || !Files.exists(log)) {
                return matched;
            }
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                long length = file.length();
                if (length <= position) {
                    return false;
                }
                byte[] chunk = new byte[(int) Math.min(length - position, 1 << 20)];
                file.seek(position);
                file.readFully(chunk);
                position += chunk.length;
                partialLine.append(new String(chunk, StandardCharsets.UTF_8));
            }
            int newline;
            while ((newline = partialLine.indexOf("\n")) >= 0) {
                if (pattern.matcher(partialLine.substring(0, newline)).find()) {
                    matched = true;
                }
                partialLine.delete(0, newline + 1);
            }
            return matched;
        }
    }

    private static final class Options {
        String host = "127.0.0.1";
        int port = -1;
        Path log;
        Path readyFile;
        Pattern logPattern;
        long timeoutS = 180;
        List<String> command = new ArrayList<>();

        static Options parse(String[] args) {
            Options o = new Options();
            int i = 0;
            for (; i < args.length && !args[i].equals("--"); i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + args[i]);
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--host" -> o.host = value;
                    case "--port" -> o.port = Integer.parseInt(value);
                    case "--log" -> o.log = Path.of(value);
                    case "--ready-file" -> o.readyFile = Path.of(value);
                    case "--log-pattern" -> o.logPattern = Pattern.compile(value);
                    case "--timeout-s" -> o.timeoutS = Long.parseLong(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (i < args.length) {
                o.command.addAll(Arrays.asList(args).subList(i + 1, args.length));
            }
            if (o.port <= 0 || o.log == null || o.readyFile == null || o.command.isEmpty()) {
                throw new IllegalArgumentException("usage: Launch --host H --port P --log FILE --ready-file FILE"
                        + " [--log-pattern REGEX] [--timeout-s N] -- command...");
            }
            return o;
        }
    }
}
