package io.tributary.broker.api;

import io.tributary.broker.PartitionManager;
import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import io.tributary.metadata.BrokerRegistration;
import io.tributary.metadata.Endpoint;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.PartitionRegistration;
import io.tributary.metadata.QuorumController;
import io.tributary.metadata.TopicImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Metadata (v0+): brokers, cluster id, controller and, per topic, its id and partition leaders.
 *
 * <p>Asking for a topic that does not exist creates it when {@code auto.create.topics.enable} is on and
 * the client allows it (v4+). Creation goes through the controller and Raft; the response waits for it,
 * so the client sees the new topic's leaders at once instead of retrying on LEADER_NOT_AVAILABLE.
 */
public final class MetadataApi implements ApiHandler {
    /** Every topic operation, as the authorized-operations bit field: there are no ACLs yet. */
    static final int TOPIC_OPERATIONS = bits(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
            AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS);
    static final int CLUSTER_OPERATIONS = bits(AclOperation.CREATE, AclOperation.ALTER, AclOperation.DESCRIBE,
            AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE);

    private final int nodeId;
    private final PartitionManager partitions;
    private final QuorumController controller;
    private final boolean autoCreateTopics;

    public MetadataApi(int nodeId, PartitionManager partitions, QuorumController controller, boolean autoCreateTopics) {
        this.nodeId = nodeId;
        this.partitions = partitions;
        this.controller = controller;
        this.autoCreateTopics = autoCreateTopics;
    }

    static int bits(AclOperation... ops) {
        int b = 0;
        for (AclOperation op : ops) {
            b |= 1 << op.code();
        }
        return b;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        MetadataRequestData request = (MetadataRequestData) message;
        short version = context.apiVersion();
        boolean allTopics = request.topics() == null || (version == 0 && request.topics().isEmpty());
        boolean allowCreate = autoCreateTopics && (version < 4 || request.allowAutoTopicCreation());
        List<String> toCreate = new ArrayList<>();
        if (!allTopics && allowCreate) {
            MetadataImage image = partitions.image();
            for (MetadataRequestData.MetadataRequestTopic t : request.topics()) {
                boolean byId = t.topicId() != null && !Uuid.ZERO_UUID.equals(t.topicId());
                if (!byId && t.name() != null && !image.topicsByName().containsKey(t.name()) && isCreatable(t.name())) {
                    toCreate.add(t.name());
                }
            }
        }
        if (toCreate.isEmpty()) {
            slot.complete(respond(request, version, allTopics));
            return;
        }
        CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (String name : toCreate) {
            create.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name)
                    .setNumPartitions(-1).setReplicationFactor((short) -1));
        }
        CompletableFuture<?> created = controller.createTopics(create);
        created.whenComplete((r, e) -> slot.complete(respond(request, version, allTopics)));
    }

    private static boolean isCreatable(String name) {
        try {
            Topic.validate(name);
            return !Topic.isInternal(name);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private MetadataResponseData respond(MetadataRequestData request, short version, boolean allTopics) {
        MetadataImage image = partitions.image();
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(image.clusterId())
                .setControllerId(nodeId);
        for (BrokerRegistration broker : image.brokers().values()) {
            Endpoint ep = broker.endpoints().get(0);
            response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                    .setNodeId(broker.nodeId()).setHost(ep.host()).setPort(ep.port()).setRack(broker.rack()));
        }
        boolean includeTopicOps = version >= 8 && request.includeTopicAuthorizedOperations();
        if (version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(CLUSTER_OPERATIONS);
        }
        if (allTopics) {
            for (TopicImage topic : image.topicsByName().values()) {
                response.topics().add(describe(topic, includeTopicOps, partitions));
            }
        } else {
            for (MetadataRequestData.MetadataRequestTopic t : request.topics()) {
                // Clients that ask by id (v10+) leave the name empty; the id wins whenever it is set.
                boolean byId = t.topicId() != null && !Uuid.ZERO_UUID.equals(t.topicId());
                TopicImage topic = byId ? image.topicsById().get(t.topicId()) : image.topicsByName().get(t.name());
                if (topic != null) {
                    response.topics().add(describe(topic, includeTopicOps, partitions));
                } else {
                    response.topics().add(missing(byId ? null : t.name(), t.topicId()));
                }
            }
        }
        return response;
    }

    private static MetadataResponseData.MetadataResponseTopic missing(String name, Uuid id) {
        Errors error;
        if (name == null) {
            error = Errors.UNKNOWN_TOPIC_ID;
        } else {
            try {
                Topic.validate(name);
                error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
            } catch (RuntimeException e) {
                error = Errors.INVALID_TOPIC_EXCEPTION;
            }
        }
        return new MetadataResponseData.MetadataResponseTopic().setName(name).setTopicId(id == null ? Uuid.ZERO_UUID : id)
                .setErrorCode(error.code());
    }

    private MetadataResponseData.MetadataResponseTopic describe(TopicImage topic, boolean includeOps,
                                                                PartitionManager partitions) {
        MetadataResponseData.MetadataResponseTopic t = new MetadataResponseData.MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.id())
                .setIsInternal(Topic.isInternal(topic.name()));
        if (includeOps) {
            t.setTopicAuthorizedOperations(TOPIC_OPERATIONS);
        }
        topic.partitions().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> {
            PartitionRegistration p = e.getValue();
            t.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                    .setPartitionIndex(e.getKey())
                    .setLeaderId(p.leader())
                    .setLeaderEpoch(p.leaderEpoch())
                    .setReplicaNodes(toList(p.replicas()))
                    .setIsrNodes(toList(p.isr()))
                    .setOfflineReplicas(offlineReplicas(partitions, topic.name(), e.getKey())));
        });
        return t;
    }

    /**
     * A replica whose log directory failed is listed as offline, as Kafka does; the partition keeps its leader
     * (there is no other replica to move to) and answers KAFKA_STORAGE_ERROR, so clients retry rather than
     * give up on the topic.
     */
    private List<Integer> offlineReplicas(PartitionManager partitions, String topic, int partition) {
        List<Integer> offline = new ArrayList<>(0);
        if (partitions.isHostedOffline(new org.apache.kafka.common.TopicPartition(topic, partition))) {
            offline.add(nodeId);
        }
        return offline;
    }

    static List<Integer> toList(int[] ids) {
        return new ArrayList<>(Arrays.stream(ids).boxed().toList());
    }
}
