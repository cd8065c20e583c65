package io.tributary.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broker in a child JVM, started the way an operator starts one ({@code trib start --override ...}), so a test
 * can do what only a separate process allows: kill -9 it mid-write, or send it SIGTERM and check the exit code.
 *
 * <p>The listener and Raft ports are picked once and reused for every restart, so a restarted broker comes back
 * on the address its clients and its own metadata log know. Standard error goes to a file next to the data so a
 * failed start can be diagnosed from the test report.
 */
public final class BrokerProcess implements AutoCloseable {
    /** The one stdout line {@code trib start} prints when clients can connect. */
    static final Pattern READY = Pattern.compile(
            "Tributary (\\S+) ready on (\\S+):(\\d+) \\(node (\\d+), data (.+)\\)");
    private static final long START_TIMEOUT_MS = 90_000;
    /** Child brokers must not outlive the test JVM, even when surefire kills it for a timeout. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    private final Path dataDir;
    private final Map<String, String> overrides;
    /** Started through {@code bin/trib start}, as a user would, rather than with {@code java} directly. */
    private final boolean viaLauncher;
    private final int port;
    private final int controllerPort;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private Process process;
    private int starts;
    private String readyLine;

    private BrokerProcess(Path dataDir, Map<String, String> overrides, boolean viaLauncher) {
        this.dataDir = dataDir;
        this.overrides = Map.copyOf(overrides);
        this.viaLauncher = viaLauncher;
        this.port = Ports.free();
        int c;
        do {
            c = Ports.free();
        } while (c == port);
        this.controllerPort = c;
    }

    public static BrokerProcess start(Path dataDir, Map<String, String> overrides) throws Exception {
        BrokerProcess p = new BrokerProcess(dataDir, overrides, false);
        p.launch();
        return p;
    }

    /**
     * Starts the broker with the repository's {@code bin/trib start}, which picks its JDK as it would for a user, so
     * the launcher's own work (its JDK search, JVM options, the AOT cache and its training run) is part of the test.
     */
    public static BrokerProcess startWithLauncher(Path dataDir, Map<String, String> overrides) throws Exception {
        BrokerProcess p = new BrokerProcess(dataDir, overrides, true);
        p.launch();
        return p;
    }

    Path logDir() {
        return dataDir.resolve("logs");
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    String readyLine() {
        return readyLine;
    }

    /** Every stdout line of the current run (the ready line and, after SIGTERM, the goodbye). */
    List<String> stdout() {
        return List.copyOf(stdout);
    }

    long pid() {
        return process.pid();
    }

    /** The feature release of the JDK the running broker uses (from its {@code release} file). */
    int jdkFeature() throws IOException {
        Path java = Path.of(ProcessHandle.of(pid()).flatMap(h -> h.info().command()).orElseThrow()).toRealPath();
        for (String line : Files.readAllLines(java.getParent().getParent().resolve("release"))) {
            Matcher m = Pattern.compile("^JAVA_VERSION=\"(\\d+)").matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new IllegalStateException("no JAVA_VERSION in the release file of " + java);
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the JVM (again, on the same ports and data) and returns once it printed its ready line. */
    public void launch() throws Exception {
        if (isAlive()) {
            throw new IllegalStateException("broker process " + process.pid() + " is still running");
        }
        Files.createDirectories(dataDir);
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        settings.put("log.dirs", logDir().toString());
        settings.put("node.id", Integer.toString(TestBroker.NODE_ID));
        settings.putAll(overrides);
        List<String> cmd = viaLauncher
                ? new ArrayList<>(List.of(launcher().toString(), "start"))
                : new ArrayList<>(List.of(javaExecutable(), "-Xmx512m", "-XX:+UseSerialGC",
                        "-cp", testClasspath(), "io.tributary.cli.Trib", "start"));
        settings.forEach((k, v) -> {
            cmd.add("--override");
            cmd.add(k + "=" + v);
        });
        starts++;
        stdout.clear();
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        if (viaLauncher) {
            pb.environment().put("TRIB_HEAP", "512m");
        }
        process = pb.start();
        LIVE.add(process);
        process.onExit().thenAccept(LIVE::remove);
        process.getOutputStream().close();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Process p = process;
        Thread reader = new Thread(() -> pump(p, ready), "broker-stdout-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            readyLine = ready.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly();
            throw new IllegalStateException("broker process did not become ready (start #" + starts + ")\n"
                    + stderrTail(), e);
        }
        Matcher m = READY.matcher(readyLine);
        if (!m.matches() || Integer.parseInt(m.group(3)) != port) {
            throw new IllegalStateException("unexpected ready line: " + readyLine);
        }
    }

    private void pump(Process p, CompletableFuture<String> ready) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                stdout.add(line);
                if (!ready.isDone() && READY.matcher(line).matches()) {
                    ready.complete(line);
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException("stdout closed before the ready line; exit "
                + (p.isAlive() ? "none yet" : Integer.toString(p.exitValue()))));
    }

    /** SIGTERM, then waits for the exit code. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("broker ignored SIGTERM for 60 s\n" + stderrTail());
        }
        return process.exitValue();
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int awaitExit(long timeoutS) throws InterruptedException {
        if (!process.waitFor(timeoutS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker process still running after " + timeoutS + " s\n" + stderrTail());
        }
        return process.exitValue();
    }

    int controllerPort() {
        return controllerPort;
    }

    /** SIGKILL: no shutdown hook, no flush, no clean-shutdown marker. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("kill -9 did not end process " + process.pid());
        }
    }

    public Path stderrFile() {
        return dataDir.resolve("broker-stderr.txt");
    }

    public String stderrTail() {
        try {
            List<String> lines = Files.exists(stderrFile()) ? Files.readAllLines(stderrFile()) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (isAlive()) {
            // Before its exec the launcher is a shell whose children (a build, a training run) must go too.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code bin/trib} of the repository this test runs in. */
    static Path launcher() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path trib = dir.resolve("bin").resolve("trib");
            if (Files.isExecutable(trib)) {
                return trib;
            }
        }
        throw new IllegalStateException("no bin/trib above " + System.getProperty("user.dir"));
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The test classpath (surefire puts the real one in {@code java.class.path} even when it boots through a
     * manifest-only jar), which holds the cli module and all its dependencies.
     */
    static String testClasspath() {
        String cp = System.getProperty("java.class.path");
        if (!cp.contains("tributary")) {
            cp = System.getProperty("surefire.test.class.path", cp);
        }
        return cp;
    }
}
