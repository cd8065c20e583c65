package io.tributary.broker;

import io.tributary.broker.api.AdminApis;
import io.tributary.broker.api.ApiVersionsApi;
import io.tributary.broker.api.DeleteRecordsApi;
import io.tributary.broker.api.DescribeClusterApi;
import io.tributary.broker.api.DescribeConfigsApi;
import io.tributary.broker.api.DescribeLogDirsApi;
import io.tributary.broker.api.InitProducerIdApi;
import io.tributary.broker.api.ListOffsetsApi;
import io.tributary.broker.api.MetadataApi;
import io.tributary.broker.api.OffsetForLeaderEpochApi;
import io.tributary.broker.api.ProduceApi;
import io.tributary.broker.fetch.FetchApi;
import io.tributary.broker.fetch.FetchPurgatory;
import io.tributary.broker.fetch.FetchSessionCache;
import io.tributary.broker.group.GroupApis;
import io.tributary.broker.group.GroupCoordinator;
import io.tributary.broker.group.GroupCoordinatorConfig;
import io.tributary.broker.network.ApiRegistry;
import io.tributary.broker.network.SocketServer;
import io.tributary.metadata.BrokerRegistration;
import io.tributary.metadata.ClusterIdRecord;
import io.tributary.metadata.ControllerSettings;
import io.tributary.metadata.Endpoint;
import io.tributary.metadata.MetadataQuorum;
import io.tributary.metadata.RegisterBrokerRecord;
import io.tributary.metadata.TopicConfigKeys;
import io.tributary.storage.LogManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Tributary broker: storage, the Raft metadata quorum member, and the Kafka-protocol listener.
 *
 * <p>Startup opens the logs (recovering them if the last shutdown was unclean) while Raft replays the
 * metadata, then binds the listener, registers this node's endpoint through the controller and only then
 * reports ready, so the first client to connect already finds this broker in the metadata. Shutdown runs
 * the same path backwards: stop accepting, let in-flight requests finish, close the quorum, then flush
 * and close the logs, which writes the clean-shutdown marker.
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final List<FileLock> dirLocks;
    private final LogManager logManager;
    private final MetadataQuorum quorum;
    private final SocketServer server;
    private final PartitionManager partitionManager;
    private final GroupCoordinator groups;
    private final long startNanos;
    private volatile boolean closed;

    private Broker(BrokerConfig config, List<FileLock> dirLocks, LogManager logManager, MetadataQuorum quorum,
                   SocketServer server, PartitionManager partitionManager, GroupCoordinator groups, long startNanos) {
        this.config = config;
        this.dirLocks = dirLocks;
        this.logManager = logManager;
        this.quorum = quorum;
        this.server = server;
        this.partitionManager = partitionManager;
        this.groups = groups;
        this.startNanos = startNanos;
    }

    /** Starts a broker and returns once clients can use it. */
    public static Broker start(BrokerConfig config) throws Exception {
        long startNanos = System.nanoTime();
        Time time = Time.SYSTEM;
        List<FileLock> locks = lockDirs(config);
        CompletableFuture<LogManager> logs = CompletableFuture.supplyAsync(
                () -> LogManager.open(config.logDirs, config.logDefaults, time));
        ApiRegistry registry = new ApiRegistry();
        CompletableFuture<SocketServer> prepared = CompletableFuture.supplyAsync(
                () -> new SocketServer(config.ioThreads, config.requestBytesMax, registry));
        ControllerSettings settings = ControllerSettings.defaults()
                .withDefaults(config.numPartitions, config.defaultReplicationFactor);
        MetadataQuorum quorum = null;
        LogManager logManager = null;
        SocketServer server = null;
        try {
            quorum = MetadataQuorum.start(config.nodeId, config.metadataDir,
                    config.controllerVoters(config.controllerPort), time, settings);
            long quorumNanos = System.nanoTime();
            logManager = logs.get();
            long logsNanos = System.nanoTime();
            logManager.startBackgroundTasks(config.retentionCheckIntervalMs, config.recoveryCheckpointIntervalMs);
            logManager.startCleaner(config.cleanerConfig);
            // A new single-node cluster names itself at registration below, without waiting for Raft.
            boolean newCluster = quorum.bootstrapPending();
            String clusterId = newCluster ? null : ensureClusterId(quorum);
            PartitionManager partitionManager = new PartitionManager(config.nodeId, logManager, config.logDefaults, config.originals());
            partitionManager.removeOrphans(quorum.image());
            quorum.addListener(partitionManager);
            FetchPurgatory purgatory = new FetchPurgatory();
            GroupCoordinator groups = new GroupCoordinator(config.nodeId, GroupCoordinatorConfig.from(config),
                    partitionManager, quorum.controller(), purgatory, time);
            quorum.addListener(groups);
            apis(registry, config, quorum, partitionManager, purgatory, groups, time);
            registry.register(ApiKeys.DELETE_RECORDS, new DeleteRecordsApi(partitionManager)).register(ApiKeys.DESCRIBE_LOG_DIRS, new DescribeLogDirsApi(logManager));
            server = prepared.get();
            server.bind(config.listenerHost, config.listenerPort);
            long listenNanos = System.nanoTime();
            InetSocketAddress bound = server.localAddress();
            int advertisedPort = config.advertisedPortConfigured > 0 ? config.advertisedPortConfigured : bound.getPort();
            Endpoint endpoint = new Endpoint("PLAINTEXT", config.advertisedHost, advertisedPort, SecurityProtocol.PLAINTEXT);
            String rack = config.get("broker.rack", null);
            if (newCluster) {
                clusterId = bootstrapOrRegister(quorum, config.nodeId, endpoint, rack);
            } else {
                register(quorum, config.nodeId, endpoint, rack);
            }
            // After a fast restart or on a new cluster Raft starts only now (the registration above may already
            // have started it), so it does not compete for the cores with the start of the logs and the listener.
            quorum.startRaftInBackground();
            long now = System.nanoTime();
            log.info("Node {} of cluster {} started in {} ms (metadata {} ms, logs {} ms, listener {} ms, registration {} ms)",
                    config.nodeId, clusterId, ms(now - startNanos), ms(quorumNanos - startNanos), ms(logsNanos - quorumNanos),
                    ms(listenNanos - logsNanos), ms(now - listenNanos));
            return new Broker(config, locks, logManager, quorum, server, partitionManager, groups, startNanos);
        } catch (Exception | Error e) {
            if (server == null && prepared.isDone() && !prepared.isCompletedExceptionally()) {
                server = prepared.join();
            }
            if (server != null) {
                server.close();
            }
            if (quorum != null) {
                quorum.close();
            }
            if (logManager == null && logs.isDone() && !logs.isCompletedExceptionally()) {
                logManager = logs.join();
            }
            if (logManager != null) {
                logManager.close();
            }
            releaseLocks(locks);
            throw e;
        }
    }

    private static String ensureClusterId(MetadataQuorum quorum) throws Exception {
        return quorum.controller().ensureClusterId(Uuid.randomUuid().toString()).get(30, TimeUnit.SECONDS);
    }

    /**
     * The first start of a single-node cluster: its id and this node's registration become the bootstrap records,
     * served at once and committed as Raft's first entry (see {@link MetadataQuorum#bootstrap}). If Raft started
     * meanwhile, they are written through the controller instead.
     */
    private static String bootstrapOrRegister(MetadataQuorum quorum, int nodeId, Endpoint endpoint, String rack) throws Exception {
        String clusterId = Uuid.randomUuid().toString();
        var registration = new RegisterBrokerRecord(nodeId, Uuid.randomUuid(), List.of(endpoint), rack);
        if (quorum.bootstrap(List.of(new ClusterIdRecord(clusterId), registration))) {
            return clusterId;
        }
        clusterId = ensureClusterId(quorum);
        register(quorum, nodeId, endpoint, rack);
        return clusterId;
    }

    /**
     * Registers this start of the node (a new incarnation) through the controller. If the metadata already lists
     * the node at the same endpoint, as after a clean restart served from the last image while Raft starts, clients
     * can already find it, so the write completes in the background; otherwise the broker is not ready without it.
     */
    private static void register(MetadataQuorum quorum, int nodeId, Endpoint endpoint, String rack) throws Exception {
        List<Endpoint> endpoints = List.of(endpoint);
        BrokerRegistration known = quorum.image().brokers().get(nodeId);
        var registration = quorum.controller().registerBroker(nodeId, Uuid.randomUuid(), endpoints, rack);
        if (quorum.isStarted() || known == null || !known.endpoints().equals(endpoints) || !Objects.equals(known.rack(), rack)) {
            registration.get(30, TimeUnit.SECONDS);
        } else {
            registration.whenComplete((ok, e) -> {
                if (e instanceof org.apache.kafka.common.errors.NotControllerException) {
                    log.info("Node {} stopped before its new incarnation was registered", nodeId);
                } else if (e != null) {
                    log.error("Node {} could not register its new incarnation in the metadata", nodeId, e);
                }
            });
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static void apis(ApiRegistry registry, BrokerConfig config, MetadataQuorum quorum, PartitionManager partitions,
                             FetchPurgatory purgatory, GroupCoordinator groups, Time time) {
        var controller = quorum.controller();
        registry.register(ApiKeys.API_VERSIONS, new ApiVersionsApi(registry))
                // Kafka 4 advertises Produce v0 so librdkafka does not give up, and refuses v0-2.
                .register(ApiKeys.PRODUCE, (short) 0, (short) 3, ApiKeys.PRODUCE.latestVersion(), new ProduceApi(partitions, purgatory))
                .register(ApiKeys.FETCH, new FetchApi(partitions, new FetchSessionCache(config.fetchSessionCacheSlots, time), purgatory))
                .register(ApiKeys.LIST_OFFSETS, new ListOffsetsApi(partitions))
                .register(ApiKeys.METADATA, new MetadataApi(config.nodeId, partitions, controller, config.autoCreateTopics))
                .register(ApiKeys.CREATE_TOPICS, AdminApis.createTopics(controller))
                .register(ApiKeys.DELETE_TOPICS, AdminApis.deleteTopics(controller))
                .register(ApiKeys.CREATE_PARTITIONS, AdminApis.createPartitions(controller))
                .register(ApiKeys.INCREMENTAL_ALTER_CONFIGS, AdminApis.incrementalAlterConfigs(controller))
                .register(ApiKeys.ALTER_CONFIGS, AdminApis.alterConfigs(controller))
                .register(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsApi(config, partitions))
                .register(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterApi(config.nodeId, partitions))
                .register(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdApi(new ProducerIdManager(config.nodeId, controller)))
                .register(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochApi(partitions));
        GroupApis.register(registry, groups);
    }

    private static List<FileLock> lockDirs(BrokerConfig config) throws IOException {
        List<FileLock> locks = new ArrayList<>();
        List<Path> dirs = new ArrayList<>(config.logDirs);
        try {
            for (Path dir : dirs) {
                Files.createDirectories(dir);
                FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = ch.tryLock();
                if (lock == null) {
                    ch.close();
                    throw new IOException("Data directory " + dir + " is in use by another broker");
                }
                locks.add(lock);
            }
            return locks;
        } catch (IOException e) {
            releaseLocks(locks);
            throw e;
        }
    }

    private static void releaseLocks(List<FileLock> locks) {
        for (FileLock lock : locks) {
            try {
                lock.release();
                lock.channel().close();
            } catch (IOException ignored) {
                // Closing the process releases it anyway.
            }
        }
    }

    public InetSocketAddress boundAddress() {
        return server.localAddress();
    }

    public BrokerConfig config() {
        return config;
    }

    public PartitionManager partitions() {
        return partitionManager;
    }

    public LogManager logManager() {
        return logManager;
    }

    /**
     * Completes once the metadata quorum runs. After a fast restart the broker serves before that, and this fails
     * if the quorum then cannot start (say its port is taken): the broker must then be stopped.
     */
    public CompletableFuture<Void> metadataStarted() {
        return quorum.started();
    }

    /** True if this start created a new cluster and served its first metadata while Raft was still starting. */
    public boolean newCluster() {
        return quorum.bootstrapped();
    }

    /** True if this start served the metadata of the last clean shutdown while Raft was still starting. */
    public boolean fastRestart() {
        return quorum.fastRestart();
    }

    /** Milliseconds from {@link #start} being called until the broker was ready. */
    public long startMs(long readyNanos) {
        return TimeUnit.NANOSECONDS.toMillis(readyNanos - startNanos);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.close(5_000);
        groups.close();
        quorum.close();
        logManager.close();
        releaseLocks(dirLocks);
    }
}
