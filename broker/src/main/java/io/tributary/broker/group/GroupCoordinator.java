package io.tributary.broker.group;

import io.tributary.broker.PartitionManager;
import io.tributary.broker.fetch.FetchPurgatory;
import io.tributary.metadata.BrokerRegistration;
import io.tributary.metadata.Endpoint;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.MetadataListener;
import io.tributary.metadata.PartitionRegistration;
import io.tributary.metadata.QuorumController;
import io.tributary.metadata.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's group coordinator: one {@link CoordinatorShard} per {@code __consumer_offsets} partition this node
 * leads, a group living in partition {@code abs(groupId.hashCode()) % partitions} as in Kafka.
 *
 * <p>The internal topic is created through the controller on the first FindCoordinator for a group. When the
 * metadata image shows it, a shard is created for every partition led here and loaded on a background thread by
 * replaying the partition; if the topic disappears (or is recreated) the shards are closed and parked requests are
 * told NOT_COORDINATOR.
 */
public final class GroupCoordinator implements MetadataListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    public static final String OFFSETS_TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;

    private final int nodeId;
    private final GroupCoordinatorConfig config;
    private final PartitionManager partitions;
    private final QuorumController controller;
    private final FetchPurgatory purgatory;
    private final Time time;
    private final Scheduler scheduler;
    private final AutoCloseable schedulerResource;
    private final ExecutorService loader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "group-coordinator-loader");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<CompletableFuture<Errors>> creating = new AtomicReference<>();
    private volatile Shards shards;
    private volatile boolean closed;

    /** The shards of one incarnation of the offsets topic; null entries are partitions led elsewhere. */
    private record Shards(Uuid topicId, CoordinatorShard[] byPartition) {
    }

    /** The shard a group maps to, or why there is none. */
    public record Lookup(CoordinatorShard shard, Errors error) {
    }

    public GroupCoordinator(int nodeId, GroupCoordinatorConfig config, PartitionManager partitions,
                            QuorumController controller, FetchPurgatory purgatory, Time time) {
        this(nodeId, config, partitions, controller, purgatory, time, new ExecutorScheduler("group-coordinator-timer"));
    }

    /** With an injected scheduler: tests drive the timers by hand. */
    GroupCoordinator(int nodeId, GroupCoordinatorConfig config, PartitionManager partitions, QuorumController controller,
                     FetchPurgatory purgatory, Time time, Scheduler scheduler) {
        this.scheduler = scheduler;
        this.schedulerResource = scheduler instanceof AutoCloseable c ? c : () -> { };
        this.nodeId = nodeId;
        this.config = config;
        this.partitions = partitions;
        this.controller = controller;
        this.purgatory = purgatory;
        this.time = time;
    }

    public GroupCoordinatorConfig config() {
        return config;
    }

    @Override
    public void onImage(MetadataImage previous, MetadataImage current) {
        if (closed) {
            return;
        }
        TopicImage topic = current.topicsByName().get(OFFSETS_TOPIC);
        Shards existing = shards;
        if (existing != null && (topic == null || !topic.id().equals(existing.topicId))) {
            log.info("{} was deleted or recreated; unloading its group coordinator partitions", OFFSETS_TOPIC);
            shards = null;
            for (CoordinatorShard shard : existing.byPartition) {
                if (shard != null) {
                    shard.close();
                }
            }
            existing = null;
        }
        if (topic == null || existing != null) {
            // Partitions added to the offsets topic later would move groups between partitions; Kafka forbids
            // that, and here the original count stays in force.
            return;
        }
        CoordinatorShard[] byPartition = new CoordinatorShard[topic.numPartitions()];
        List<CoordinatorShard> toLoad = new ArrayList<>();
        for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
            int p = e.getKey();
            if (p >= byPartition.length || e.getValue().leader() != nodeId) {
                continue;
            }
            CoordinatorLog partitionLog = new PartitionCoordinatorLog(() -> partitions.partition(OFFSETS_TOPIC, p),
                    purgatory, time, config.offsetsLoadBufferBytes());
            byPartition[p] = new CoordinatorShard(p, partitionLog, config, time, scheduler);
            toLoad.add(byPartition[p]);
        }
        shards = new Shards(topic.id(), byPartition);
        loader.execute(() -> {
            long startMs = time.milliseconds();
            int tried = 0;
            for (CoordinatorShard shard : toLoad) {
                if (closed || Thread.currentThread().isInterrupted()) {
                    log.info("Group coordinator stopped loading after {} of {} partitions: the broker is shutting "
                            + "down", tried, toLoad.size());
                    return;
                }
                tried++;
                try {
                    shard.load();
                } catch (RuntimeException e) {
                    // Logged by the shard; it answers COORDINATOR_NOT_AVAILABLE from now on.
                }
            }
            log.info("Group coordinator ready: {} of {} partitions of {} loaded in {} ms", toLoad.size(),
                    byPartition.length, OFFSETS_TOPIC, time.milliseconds() - startMs);
        });
    }

    /** Which shard coordinates {@code groupId}. */
    public Lookup shardFor(String groupId) {
        Shards s = shards;
        if (s == null || closed) {
            return new Lookup(null, Errors.COORDINATOR_NOT_AVAILABLE);
        }
        CoordinatorShard shard = s.byPartition[partitionFor(groupId, s.byPartition.length)];
        return shard == null ? new Lookup(null, Errors.NOT_COORDINATOR) : new Lookup(shard, Errors.NONE);
    }

    static int partitionFor(String groupId, int partitionCount) {
        return Utils.abs(groupId.hashCode()) % partitionCount;
    }

    /** Every shard this node has, for ListGroups. */
    public List<CoordinatorShard> shards() {
        Shards s = shards;
        List<CoordinatorShard> out = new ArrayList<>();
        if (s != null) {
            for (CoordinatorShard shard : s.byPartition) {
                if (shard != null) {
                    out.add(shard);
                }
            }
        }
        return out;
    }

    /** True once the offsets topic exists (ListGroups on a broker that never had a group is simply empty). */
    public boolean offsetsTopicExists() {
        return partitions.image().topicsByName().containsKey(OFFSETS_TOPIC);
    }

    /**
     * Creates {@code __consumer_offsets} unless it exists. Completes with NONE once the topic is in the image (and
     * shards are being loaded), or with the error that prevented it. Concurrent callers share one creation.
     */
    public CompletableFuture<Errors> ensureOffsetsTopic() {
        if (offsetsTopicExists()) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        CompletableFuture<Errors> mine = new CompletableFuture<>();
        CompletableFuture<Errors> inFlight = creating.compareAndExchange(null, mine);
        if (inFlight != null) {
            return inFlight;
        }
        int brokers = Math.max(1, partitions.image().brokers().size());
        short replicationFactor = config.offsetsTopicReplicationFactor() > 0
                ? config.offsetsTopicReplicationFactor() : (short) Math.min(3, brokers);
        CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic()
                .setName(OFFSETS_TOPIC)
                .setNumPartitions(config.offsetsTopicPartitions())
                .setReplicationFactor(replicationFactor);
        addConfig(topic, TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        addConfig(topic, TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(config.offsetsTopicSegmentBytes()));
        // The log holds the only copy of group state and compaction is not implemented by the storage layer yet,
        // which would otherwise delete old segments by time or size: never delete them.
        addConfig(topic, TopicConfig.RETENTION_MS_CONFIG, "-1");
        addConfig(topic, TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        request.topics().add(topic);
        log.info("Creating {} with {} partitions, replication factor {}", OFFSETS_TOPIC, config.offsetsTopicPartitions(),
                replicationFactor);
        controller.createTopics(request).whenComplete((response, failure) -> {
            creating.set(null);
            mine.complete(creationResult(response, failure));
        });
        return mine;
    }

    private Errors creationResult(CreateTopicsResponseData response, Throwable failure) {
        if (offsetsTopicExists()) {
            return Errors.NONE;
        }
        if (failure != null) {
            log.warn("Creating {} failed", OFFSETS_TOPIC, failure);
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        CreateTopicsResponseData.CreatableTopicResult result = response.topics().find(OFFSETS_TOPIC);
        log.warn("Creating {} failed: {} {}", OFFSETS_TOPIC, result == null ? "no result" : Errors.forCode(result.errorCode()),
                result == null ? "" : result.errorMessage());
        return Errors.COORDINATOR_NOT_AVAILABLE;
    }

    private static void addConfig(CreateTopicsRequestData.CreatableTopic topic, String key, String value) {
        topic.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName(key).setValue(value));
    }

    /** This node's client endpoint as registered, or null before registration. */
    public Endpoint endpoint() {
        BrokerRegistration self = partitions.image().brokers().get(nodeId);
        return self == null || self.endpoints().isEmpty() ? null : self.endpoints().get(0);
    }

    public int nodeId() {
        return nodeId;
    }

    /** Topic ids for v10 OffsetCommit/OffsetFetch. */
    public MetadataImage image() {
        return partitions.image();
    }

    @Override
    public void close() {
        closed = true;
        Shards s = shards;
        shards = null;
        if (s != null) {
            for (CoordinatorShard shard : s.byPartition) {
                if (shard != null) {
                    shard.close();
                }
            }
        }
        loader.shutdownNow();
        try {
            schedulerResource.close();
        } catch (Exception e) {
            log.warn("Closing the group coordinator timer failed", e);
        }
    }
}
