package io.tributary.it.connect;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One Kafka Connect worker in distributed mode, started in this JVM exactly as {@code connect-distributed.sh} starts
 * one ({@code ConnectDistributed.startConnect}), in its own {@link ConnectClassLoader}; the test talks to it only
 * the way an operator does, through its REST API, and looks at what it left in the broker with its own clients.
 *
 * <p>Connect calls {@code Exit.exit} when its herder thread dies; here that would end the test JVM, so the exit
 * procedure of the worker's kafka-clients is replaced by one that records the call and throws. {@link #exits()}
 * lets a test fail with the worker's reason instead of timing out.
 */
final class ConnectWorker implements AutoCloseable {
    /** Connect's own JSON for its internal topics; the data converters are plain strings so lines read back as-is. */
    private static final String STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter";

    private final ConnectClassLoader loader;
    private final Object connect;
    private final URI restUrl;
    private final List<String> exits;

    private ConnectWorker(ConnectClassLoader loader, Object connect, URI restUrl, List<String> exits) {
        this.loader = loader;
        this.connect = connect;
        this.restUrl = restUrl;
        this.exits = exits;
    }

    /**
     * Worker settings for a cluster named {@code groupId} whose internal topics are {@code <groupId>-configs},
     * {@code -offsets} and {@code -status}, with replication factor 1 (one broker) and a REST listener on a free
     * loopback port.
     */
    static Map<String, String> settings(String bootstrap, String groupId) {
        Map<String, String> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", groupId);
        p.put("config.storage.topic", groupId + "-configs");
        p.put("offset.storage.topic", groupId + "-offsets");
        p.put("status.storage.topic", groupId + "-status");
        p.put("config.storage.replication.factor", "1");
        p.put("offset.storage.replication.factor", "1");
        p.put("status.storage.replication.factor", "1");
        p.put("key.converter", STRING_CONVERTER);
        p.put("value.converter", STRING_CONVERTER);
        p.put("listeners", "http://127.0.0.1:0");
        p.put("rest.advertised.host.name", "127.0.0.1");
        // Connectors come from the classpath's service manifests; no reflective scan of every jar.
        p.put("plugin.discovery", "service_load");
        // Source offsets reach the offsets topic quickly, so a restarted worker resumes where the last one stopped.
        p.put("offset.flush.interval.ms", "500");
        return p;
    }

    static ConnectWorker start(Map<String, String> settings) throws Exception {
        ConnectClassLoader loader = ConnectClassLoader.create();
        List<String> exits = new CopyOnWriteArrayList<>();
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        // Jersey and Jetty find their providers through the context loader, and threads Connect starts inherit it.
        Thread.currentThread().setContextClassLoader(loader);
        try {
            guardExit(loader, exits);
            Class<?> cli = loader.loadClass("org.apache.kafka.connect.cli.ConnectDistributed");
            Object distributed = cli.getConstructor(String[].class).newInstance((Object) new String[0]);
            Object connect = invoke(distributed, cli.getMethod("startConnect", Map.class), new HashMap<>(settings));
            Object rest = invoke(connect, connect.getClass().getMethod("rest"));
            URI url = (URI) invoke(rest, rest.getClass().getMethod("advertisedUrl"));
            return new ConnectWorker(loader, connect, url, exits);
        } catch (Exception | Error e) {
            loader.close();
            throw e;
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private static void guardExit(ClassLoader loader, List<String> exits) throws Exception {
        Class<?> exit = loader.loadClass("org.apache.kafka.common.utils.Exit");
        Class<?> procedure = loader.loadClass("org.apache.kafka.common.utils.Exit$Procedure");
        Object record = Proxy.newProxyInstance(loader, new Class<?>[] {procedure}, (proxy, method, args) -> {
            if (!method.getName().equals("execute")) {
                return method.getName().equals("toString") ? "test exit guard" : null;
            }
            String what = "Connect called Exit with status " + args[0] + ": " + args[1];
            exits.add(what);
            throw new IllegalStateException(what);
        });
        exit.getMethod("setExitProcedure", procedure).invoke(null, record);
        exit.getMethod("setHaltProcedure", procedure).invoke(null, record);
    }

    /** The REST URL the worker advertises to its group (its worker id is host:port of it). */
    URI restUrl() {
        return restUrl;
    }

    /** Every attempt Connect made to exit the JVM (herder thread death, failed start). */
    List<String> exits() {
        return List.copyOf(exits);
    }

    /** What a Connect group member's assignment says, decoded by the worker's own protocol classes. */
    record Assignment(String leader, String leaderUrl, Collection<?> connectors, Collection<?> tasks) {
    }

    Assignment decodeAssignment(byte[] bytes) throws Exception {
        Class<?> protocol = loader.loadClass(
                "org.apache.kafka.connect.runtime.distributed.IncrementalCooperativeConnectProtocol");
        Object a = invoke(null, protocol.getMethod("deserializeAssignment", ByteBuffer.class), ByteBuffer.wrap(bytes));
        if (a == null) {
            throw new AssertionError("empty Connect assignment");
        }
        Class<?> base = loader.loadClass("org.apache.kafka.connect.runtime.distributed.ConnectProtocol$Assignment");
        return new Assignment((String) invoke(a, base.getMethod("leader")), (String) invoke(a, base.getMethod("leaderUrl")),
                (Collection<?>) invoke(a, base.getMethod("connectors")), (Collection<?>) invoke(a, base.getMethod("tasks")));
    }

    private static Object invoke(Object target, Method method, Object... args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Graceful stop: the worker leaves its group and flushes source offsets, as on SIGTERM. */
    @Override
    public void close() throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            invoke(connect, connect.getClass().getMethod("stop"));
            invoke(connect, connect.getClass().getMethod("awaitStop"));
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
            loader.close();
        }
    }
}
