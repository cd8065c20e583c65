package io.tributary.broker;

import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.MetadataListener;
import io.tributary.metadata.PartitionRegistration;
import io.tributary.metadata.TopicImage;
import io.tributary.storage.LogConfig;
import io.tributary.storage.LogManager;
import io.tributary.storage.PartitionLog;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the broker's partitions in step with the metadata image: every applied image creates the logs
 * of new partitions this node hosts, applies topic config changes to live logs and deletes the logs of
 * removed topics. Request handlers look partitions up here by name or by topic id.
 */
public final class PartitionManager implements MetadataListener {
    private static final Logger log = LoggerFactory.getLogger(PartitionManager.class);

    private final int nodeId;
    private final LogManager logManager;
    private final LogConfig logDefaults;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private volatile MetadataImage image = MetadataImage.EMPTY;

    public PartitionManager(int nodeId, LogManager logManager, LogConfig logDefaults) {
        this.nodeId = nodeId;
        this.logManager = logManager;
        this.logDefaults = logDefaults;
    }

    public MetadataImage image() {
        return image;
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
        for (TopicImage topic : current.topicsById().values()) {
            TopicImage before = previous.topicsById().get(topic.id());
            boolean configChanged = before != null && !before.configs().equals(topic.configs());
            for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
                TopicPartition tp = new TopicPartition(topic.name(), e.getKey());
                Partition existing = partitions.get(tp);
                if (existing == null) {
                    if (hosts(e.getValue())) {
                        partition(topic, e.getKey());
                    }
                } else {
                    existing.update(e.getValue().leaderEpoch(), isSoleInSyncReplica(e.getValue()));
                    if (configChanged) {
                        logManager.updateConfig(tp, logConfig(topic));
                    }
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
            PartitionLog partitionLog = logManager.getOrCreateLog(key, topic.id(), logConfig(topic));
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
