package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wire compatibility with a client from the previous major line (kafka-clients 3.9.1, which negotiates older
 * Produce/Fetch/Metadata versions than the 4.x client used everywhere else). The jars are copied to
 * target/old-clients by the build; the child JVM gets them plus this module's test classes, and not the 4.x jar.
 */
class OldClientTest {
    private static final String OLD_VERSION = "3.9.1";

    @Test
    void kafkaClients391ProducesAndConsumes(@TempDir Path dir) throws Exception {
        Path jars = Path.of(System.getProperty("basedir", "."), "target", "old-clients");
        List<Path> oldJars;
        try (Stream<Path> s = Files.list(jars)) {
            oldJars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError("old client jars missing in " + jars + " (copied at generate-test-resources)", e);
        }
        assertThat(oldJars).extracting(p -> p.getFileName().toString())
                .contains("kafka-clients-" + OLD_VERSION + ".jar")
                .noneMatch(n -> n.startsWith("kafka-clients-4"));
        Path testClasses = Path.of(OldClientMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String classpath = testClasses + File.pathSeparator
                + oldJars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));

        try (TestBroker broker = TestBroker.start(dir)) {
            List<String> cmd = new ArrayList<>(List.of(BrokerProcess.javaExecutable(), "-Xmx256m",
                    "-cp", classpath, OldClientMain.class.getName(), broker.bootstrap(), "old-client", "10000"));
            Exec.Result r = Exec.run(cmd, null, Duration.ofMinutes(2));
            assertThat(r.exitCode()).as("old client exit code%n%s", r).isZero();
            assertThat(r.stdout()).contains("old-client " + OLD_VERSION + " produced 10000 (last offset 9999) consumed 10000");
        }
    }
}
