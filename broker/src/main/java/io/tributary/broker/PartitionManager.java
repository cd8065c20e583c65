package io.tributary.broker;

import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.MetadataListener;
import io.tributary.metadata.PartitionRegistration;
import io.tributary.metadata.TopicImage;
import io.tributary.storage.CleanerConfig;
import io.tributary.storage.LogConfig;
import io.tributary.storage.LogManager;
import io.tributary.storage.PartitionLog;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the broker's partitions in step with the metadata image: every applied image creates the logs
 * of new partitions this node hosts, applies config changes to live logs and deletes the logs of
 * removed topics. Request handlers look partitions up here by name or by topic id.
 *
 * <p>A log's config is its topic's overrides over the broker's effective log defaults, which are
 * {@link BrokerConfigLayers}: server.properties, then the dynamic cluster-wide default, then this broker's own
 * dynamic configs. Both the topic overrides and the dynamic layers arrive as metadata records, so when either
 * changes the affected logs get their new config at once, without a restart; a log whose topic overrides
 * a changed key keeps its override because the override is applied last. The log cleaner's own settings
 * ({@code log.cleaner.threads}...) follow the same layers and are handed to the cleaner when they change.
 */
public final class PartitionManager implements MetadataListener {
    private static final Logger log = LoggerFactory.getLogger(PartitionManager.class);

    private final int nodeId;
    private final LogManager logManager;
    private final LogConfig staticLogDefaults;
    private final Map<String, String> staticBrokerValues;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** Orders "compute a log's config" against "re-apply configs", so no new log keeps outdated defaults. */
    private final Object configLock = new Object();
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile BrokerConfigLayers layers;
    private volatile LogConfig logDefaults;

    /** A broker whose only static settings are {@code logDefaults} (tests). */
    public PartitionManager(int nodeId, LogManager logManager, LogConfig logDefaults) {
        this(nodeId, logManager, logDefaults, Map.of());
    }

    /**
     * @param staticLogDefaults  the log defaults server.properties gives
     * @param staticBrokerValues server.properties itself, the lowest layer under the dynamic broker configs
     */
    public PartitionManager(int nodeId, LogManager logManager, LogConfig staticLogDefaults,
                            Map<String, String> staticBrokerValues) {
        this.nodeId = nodeId;
        this.logManager = logManager;
        this.staticLogDefaults = staticLogDefaults;
        this.staticBrokerValues = Map.copyOf(staticBrokerValues);
        this.layers = BrokerConfigLayers.of(this.staticBrokerValues, MetadataImage.EMPTY, nodeId);
        this.logDefaults = staticLogDefaults;
    }

    public MetadataImage image() {
        return image;
    }

    /** Where this broker's settings currently come from. */
    public BrokerConfigLayers brokerConfigLayers() {
        return layers;
    }

    /** The log config of topics without overrides, static and dynamic broker configs applied. */
    public LogConfig logDefaults() {
        return logDefaults;
    }

    @Override
    public void onImage(MetadataImage previous, MetadataImage current) {
        image = current;
        for (TopicImage topic : previous.topicsById().values()) {
            TopicImage now = current.topicsById().get(topic.id());
            if (now == null) {
                removeTopic(topic);
            }
        }
        boolean defaultsChanged = applyBrokerConfigs(current);
        for (TopicImage topic : current.topicsById().values()) {
            TopicImage before = previous.topicsById().get(topic.id());
            boolean configChanged = defaultsChanged || (before != null && !before.configs().equals(topic.configs()));
            for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
                TopicPartition tp = new TopicPartition(topic.name(), e.getKey());
                Partition existing = partitions.get(tp);
                if (existing == null) {
                    if (hosts(e.getValue())) {
                        try {
                            partition(topic, e.getKey());
                        } catch (KafkaStorageException failed) {
                            // Its log directory is offline (already logged); requests for it get KAFKA_STORAGE_ERROR.
                            log.warn("Cannot open the log of {}: {}", tp, failed.getMessage());
                        }
                    }
                } else {
                    existing.update(e.getValue().leaderEpoch(), isSoleInSyncReplica(e.getValue()));
                }
            }
            if (configChanged) {
                reapplyConfig(topic);
            }
        }
    }

    /**
     * Recomputes the log defaults if a dynamic broker layer changed; returns true if they did. A combination that
     * does not make a valid config (the controller validates values one by one) is logged and the previous
     * defaults stay, so a bad dynamic value never takes a running log into an unusable state.
     */
    private boolean applyBrokerConfigs(MetadataImage current) {
        BrokerConfigLayers next = BrokerConfigLayers.of(staticBrokerValues, current, nodeId);
        if (!next.dynamicDiffers(layers)) {
            return false;
        }
        BrokerConfigLayers before = layers;
        layers = next;
        applyCleanerConfig(before, next);
        LogConfig defaults;
        try {
            defaults = next.logDefaults(staticLogDefaults);
        } catch (ConfigException e) {
            log.error("Dynamic broker configs {} / {} give invalid log defaults, keeping the previous ones: {}",
                    next.clusterDefaults(), next.brokerOverrides(), e.getMessage());
            return false;
        }
        synchronized (configLock) {
            boolean changed = !defaults.equals(logDefaults);
            logDefaults = defaults;
            if (changed) {
                log.info("Log defaults are now {} (dynamic cluster default {}, dynamic broker {})", defaults,
                        next.clusterDefaults(), next.brokerOverrides());
            }
            return changed;
        }
    }

    /**
     * Hands the log cleaner its new {@code log.cleaner.*} settings when the dynamic layers changed them (a change
     * to other keys leaves the cleaner's threads alone). An invalid combination is logged and the cleaner keeps
     * what it has.
     */
    private void applyCleanerConfig(BrokerConfigLayers before, BrokerConfigLayers next) {
        CleanerConfig config;
        try {
            config = CleanerConfig.from(next.effective());
        } catch (ConfigException e) {
            log.error("Dynamic broker configs give an invalid log cleaner config, the cleaner keeps its own: {}",
                    e.getMessage());
            return;
        }
        CleanerConfig previous;
        try {
            previous = CleanerConfig.from(before.effective());
        } catch (ConfigException e) {
            previous = null;
        }
        if (!config.equals(previous)) {
            logManager.updateCleanerConfig(config);
            log.info("Log cleaner config is now {}", config);
        }
    }

    /** Gives every live log of {@code topic} its current config, if that differs from the one it has. */
    private void reapplyConfig(TopicImage topic) {
        synchronized (configLock) {
            LogConfig config;
            try {
                config = logConfig(topic);
            } catch (ConfigException e) {
                log.error("Configs of topic {} are invalid, its logs keep their previous config: {}", topic.name(),
                        e.getMessage());
                return;
            }
            for (Integer p : topic.partitions().keySet()) {
                TopicPartition tp = new TopicPartition(topic.name(), p);
                PartitionLog existing = logManager.log(tp);
                if (existing != null && !existing.config().equals(config)) {
                    logManager.updateConfig(tp, config);
                    log.info("Applied new config to {}", tp);
                }
            }
        }
    }

    private boolean isSoleInSyncReplica(PartitionRegistration registration) {
        return registration.isr().length == 1 && registration.isr()[0] == nodeId;
    }

    private boolean hosts(PartitionRegistration registration) {
        for (int replica : registration.replicas()) {
            if (replica == nodeId) {
                return true;
            }
        }
        return false;
    }

    private void removeTopic(TopicImage topic) {
        for (Integer p : topic.partitions().keySet()) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            if (partitions.remove(tp) != null) {
                logManager.deleteLog(tp);
            }
        }
        log.info("Deleted topic {} ({})", topic.name(), topic.id());
    }

    /** The topic's overrides over the effective log defaults. */
    /** Whether this node hosts the partition on a log directory that has failed. */
    public boolean isHostedOffline(TopicPartition tp) {
        Partition p = partitions.get(tp);
        return p != null && p.log().isOffline();
    }

        public LogConfig logConfig(TopicImage topic) {
        return LogConfig.from(topic.configs(), logDefaults);
    }

    /** The partition by name, creating its log on first use if the image says this node hosts it. */
    public Partition partition(String topicName, int partitionId) {
        Partition p = partitions.get(new TopicPartition(topicName, partitionId));
        if (p != null) {
            return p;
        }
        TopicImage topic = image.topicsByName().get(topicName);
        return topic == null ? null : partition(topic, partitionId);
    }

    /** The partition by topic id, for request versions that carry ids instead of names. */
    public Partition partition(Uuid topicId, int partitionId) {
        TopicImage topic = image.topicsById().get(topicId);
        return topic == null ? null : partition(topic, partitionId);
    }

    private Partition partition(TopicImage topic, int partitionId) {
        PartitionRegistration registration = topic.partitions().get(partitionId);
        if (registration == null || registration.leader() != nodeId) {
            return null;
        }
        TopicPartition tp = new TopicPartition(topic.name(), partitionId);
        return partitions.computeIfAbsent(tp, key -> {
            PartitionLog partitionLog;
            synchronized (configLock) {
                partitionLog = logManager.getOrCreateLog(key, topic.id(), logConfig(topic));
            }
            return new Partition(key, topic.id(), partitionLog, registration.leaderEpoch(), isSoleInSyncReplica(registration));
        });
    }

    /**
     * At startup, before the first image is applied: deletes logs of topics deleted while this broker was
     * down, or recreated under a new id, so a new topic never inherits an old topic's data.
     */
    public void removeOrphans(MetadataImage current) {
        for (PartitionLog existing : new java.util.ArrayList<>(logManager.logs())) {
            TopicImage topic = current.topicsById().get(existing.topicId());
            TopicPartition tp = existing.topicPartition();
            if (topic == null || !topic.name().equals(tp.topic()) || !topic.partitions().containsKey(tp.partition())) {
                log.info("Deleting log {} of a topic that no longer exists (id {})", tp, existing.topicId());
                logManager.deleteLog(tp);
            }
        }
    }
}
