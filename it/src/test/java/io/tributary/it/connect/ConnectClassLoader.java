package io.tributary.it.connect;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The class loader a Connect worker runs in: the test classpath with its kafka-clients swapped for the one Connect
 * was built against.
 *
 * <p>Connect is not released at this project's kafka-clients version, and the newest Connect links to client
 * utilities (LogContext, AppInfoParser, Exit...) that kafka-clients 4.4 moved to other packages, so the worker cannot
 * share the test's client classes. The build copies Connect's own kafka-clients to {@code target/connect-clients};
 * this loader sees that jar and every other jar of the test classpath except our kafka-clients, the Tributary
 * modules and the logging jars. SLF4J is the one thing shared with the test: it is delegated to the test's loader,
 * so the worker logs through the test's logback configuration (warnings only) rather than a second backend.
 */
final class ConnectClassLoader extends URLClassLoader {
    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final ClassLoader shared;

    private ConnectClassLoader(URL[] urls, ClassLoader shared) {
        super("connect-worker", urls, ClassLoader.getPlatformClassLoader());
        this.shared = shared;
    }

    /** A loader for one worker; closing it releases the jars once the worker is stopped. */
    static ConnectClassLoader create() {
        List<URL> urls = new ArrayList<>();
        urls.add(url(connectClientsJar()));
        for (String entry : testClasspath().split(File.pathSeparator)) {
            if (!entry.isBlank() && !hiddenFromConnect(Path.of(entry).getFileName().toString())) {
                urls.add(url(Path.of(entry)));
            }
        }
        return new ConnectClassLoader(urls.toArray(URL[]::new), ConnectClassLoader.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("org.slf4j.")) {
            return shared.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    private static boolean hiddenFromConnect(String fileName) {
        return fileName.startsWith("kafka-clients-") || fileName.startsWith("tributary-")
                || fileName.startsWith("slf4j-") || fileName.startsWith("logback-")
                // the test classes and main classes of this module (directories)
                || fileName.equals("test-classes") || fileName.equals("classes");
    }

    private static Path connectClientsJar() {
        Path dir = Path.of(System.getProperty("basedir", "."), "target", "connect-clients");
        try (Stream<Path> jars = Files.list(dir)) {
            List<Path> found = jars.filter(p -> p.getFileName().toString().startsWith("kafka-clients-")).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("expected exactly one kafka-clients jar in " + dir + ", found " + found);
            }
            return found.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + " is missing: run the build's generate-test-resources phase", e);
        }
    }

    /** Surefire may boot through a manifest-only jar; the real classpath is then in surefire.test.class.path. */
    private static String testClasspath() {
        String cp = System.getProperty("java.class.path");
        return cp.contains("connect-runtime") ? cp : System.getProperty("surefire.test.class.path", cp);
    }

    private static URL url(Path path) {
        try {
            return path.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(path.toString(), e);
        }
    }
}
