package io.tributary.broker;

import io.tributary.broker.api.ListOffsetsApi;
import io.tributary.broker.api.ProduceApi;
import io.tributary.broker.fetch.FetchApi;
import io.tributary.broker.fetch.FetchPurgatory;
import io.tributary.broker.fetch.FetchSessionCache;
import io.tributary.broker.network.ApiRegistry;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.MetadataRecord;
import io.tributary.metadata.PartitionRecord;
import io.tributary.metadata.RemoveTopicRecord;
import io.tributary.metadata.TopicRecord;
import io.tributary.storage.LogConfig;
import io.tributary.storage.LogManager;
import io.tributary.storage.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The data path of one broker without sockets or Raft: a real {@link LogManager} in a temporary directory, a
 * {@link PartitionManager} fed with hand-made metadata images, and the produce, fetch and list-offsets handlers
 * registered as {@code Broker} registers them. Clients talk to it through {@link TestConnection}s, so requests and
 * responses cross the same framing, ordering and encoding code as on a real connection.
 */
public final class TestBroker implements AutoCloseable {
    public static final int NODE_ID = 1;
    public static final int OTHER_NODE_ID = 2;
    /** A fixed wall clock; record timestamps in tests are relative to it. */
    public static final long START_MS = 1_700_000_000_000L;

    public final ManualTime time = new ManualTime(START_MS);
    public final LogManager logManager;
    public final PartitionManager partitions;
    public final FetchPurgatory purgatory = new FetchPurgatory();
    public final FetchSessionCache sessions;
    public final ApiRegistry registry;
    private final List<TestConnection> connections = new ArrayList<>();
    private TestConnection producer;
    private MetadataImage image = MetadataImage.EMPTY;
    private long nextTopicId = 1;

    public TestBroker(Path dataDir) {
        this(dataDir, 16);
    }

    public TestBroker(Path dataDir, int fetchSessionSlots) {
        logManager = LogManager.open(List.of(dataDir), LogConfig.DEFAULTS, time);
        partitions = new PartitionManager(NODE_ID, logManager, LogConfig.DEFAULTS);
        sessions = new FetchSessionCache(fetchSessionSlots, time);
        registry = new ApiRegistry()
                .register(ApiKeys.PRODUCE, (short) 0, (short) 3, ApiKeys.PRODUCE.latestVersion(), new ProduceApi(partitions, purgatory))
                .register(ApiKeys.FETCH, new FetchApi(partitions, sessions, purgatory))
                .register(ApiKeys.LIST_OFFSETS, new ListOffsetsApi(partitions));
    }

    /** Replays records onto the current image and hands old and new image to the partition manager, as Raft would. */
    public void apply(List<MetadataRecord> records) {
        MetadataImage previous = image;
        image = previous.apply(records);
        partitions.onImage(previous, image);
    }

    /** Creates a topic whose partitions this node leads at {@code leaderEpoch}; returns its (deterministic) id. */
    public Uuid createTopic(String name, int partitionCount, int leaderEpoch) {
        Uuid id = new Uuid(0x7472696275746172L, nextTopicId++);
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new TopicRecord(name, id));
        for (int p = 0; p < partitionCount; p++) {
            records.add(new PartitionRecord(id, p, new int[] {NODE_ID}, new int[] {NODE_ID}, NODE_ID, leaderEpoch, 0));
        }
        apply(records);
        return id;
    }

    public Uuid createTopic(String name, int partitionCount) {
        return createTopic(name, partitionCount, 0);
    }

    /** Creates a topic led by another node, so this broker must refuse to serve it. */
    public Uuid createTopicLedElsewhere(String name, int partitionCount) {
        Uuid id = new Uuid(0x7472696275746172L, nextTopicId++);
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new TopicRecord(name, id));
        for (int p = 0; p < partitionCount; p++) {
            records.add(new PartitionRecord(id, p, new int[] {OTHER_NODE_ID}, new int[] {OTHER_NODE_ID}, OTHER_NODE_ID, 0, 0));
        }
        apply(records);
        return id;
    }

    /** Deletes a topic from the image; the partition manager deletes its logs. */
    public void deleteTopic(String name) {
        apply(List.of(new RemoveTopicRecord(image.topic(name).id())));
    }

    /** A new leader epoch for a partition this node keeps leading, as after a controller-driven re-election. */
    public void bumpLeaderEpoch(String topic, int partition, int leaderEpoch) {
        Uuid id = image.topic(topic).id();
        apply(List.of(new PartitionRecord(id, partition, new int[] {NODE_ID}, new int[] {NODE_ID}, NODE_ID,
                leaderEpoch, leaderEpoch)));
    }

    public MetadataImage image() {
        return image;
    }

    public PartitionLog log(String topic, int partition) {
        Partition p = partitions.partition(topic, partition);
        if (p == null) {
            throw new IllegalArgumentException("This node does not lead " + topic + "-" + partition);
        }
        return p.log();
    }

    /** Produces with acks=1 over the broker's own client connection and returns the assigned base offset. */
    public long produce(String topic, int partition, MemoryRecords records) {
        if (producer == null) {
            producer = connect();
        }
        ProduceRequestData request = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30_000);
        request.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic));
        request.topicData().iterator().next().partitionData().add(
                new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(records));
        ProduceResponseData response = producer.call(ApiKeys.PRODUCE, (short) 12, request);
        ProduceResponseData.PartitionProduceResponse pr = response.responses().iterator().next().partitionResponses().get(0);
        if (pr.errorCode() != Errors.NONE.code()) {
            throw new AssertionError("Produce to " + topic + "-" + partition + " failed: " + Errors.forCode(pr.errorCode()));
        }
        return pr.baseOffset();
    }

    public TestConnection connect() {
        TestConnection c = new TestConnection(registry);
        connections.add(c);
        return c;
    }

    @Override
    public void close() {
        for (TestConnection c : connections) {
            c.close();
        }
        logManager.close();
    }
}
