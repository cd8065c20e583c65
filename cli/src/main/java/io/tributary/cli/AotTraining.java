package io.tributary.cli;

import io.tributary.broker.Broker;
import io.tributary.broker.BrokerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The workload of the launcher's ahead-of-time training run (JDK 25+, see {@code bin/trib}).
 *
 * <p>The JVM running this records which classes a broker loads and links, and how its methods behave, into an AOT
 * cache that every later {@code trib start} of the same build maps at once. The cache holds what this run did and
 * nothing else, so the run lives through what a broker's starts are made of: a start on an empty data dir; a
 * client's first requests (ApiVersions, Metadata); creating a topic; plain and idempotent produce; fetch;
 * ListOffsets; a group's offset commit, which creates {@code __consumer_offsets}; a clean stop; and then a restart
 * on that data, which loads the logs, the producer snapshots and the group offsets back and serves again.
 * Trained only on a first start, a broker restarting on existing logs loaded and linked their classes from the
 * jars (~0.1 s more per restart, measured).
 *
 * <p>It talks to the broker over loopback like a client, but with {@link WireConnection} rather than KafkaProducer
 * or Admin: their classes are never used by a broker, and everything the training loads is loaded again by every
 * start that maps the cache.
 */
final class AotTraining {
    private static final String TOPIC = "aot-training";
    private static final int PARTITIONS = 8;
    private static final int PRODUCE_ROUNDS = 100;
    private static final int RECORDS_PER_BATCH = 10;
    private static final long WAIT_MS = 30_000;

    private final InetSocketAddress address;
    private final Map<ApiKeys, Short> versions = new EnumMap<>(ApiKeys.class);
    private Uuid topicId = Uuid.ZERO_UUID;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private final int[] nextSequence = new int[PARTITIONS];

    private AotTraining(InetSocketAddress address) {
        this.address = address;
    }

    /** Runs the training in {@code dir}, which it empties first and removes at the end. */
    static int run(Path dir) throws Exception {
        deleteRecursively(dir);
        Files.createDirectories(dir);
        Properties props = new Properties();
        props.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + freePort() + ",CONTROLLER://127.0.0.1:" + freePort());
        props.setProperty("log.dirs", dir.toString());
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        BrokerConfig config = BrokerConfig.from(props);

        Broker broker = Broker.start(config);
        AotTraining training = new AotTraining(broker.boundAddress());
        try {
            training.firstLife();
        } finally {
            broker.close();
        }
        broker = Broker.start(config);
        try {
            training.secondLife();
        } finally {
            broker.close();
        }
        deleteRecursively(dir);
        return 0;
    }

    private void firstLife() throws Exception {
        try (WireConnection c = new WireConnection(address)) {
            apiVersions(c);
            metadata(c, List.of());
            createTopic(c);
            awaitLeaders(c);
            initProducerId(c);
            for (int round = 0; round < PRODUCE_ROUNDS; round++) {
                produce(c, round % 2 == 0);
                fetch(c);
            }
            listOffsets(c);
            commitOffsets(c);
        }
    }

    /** After a restart: the data of the first life is there and the producer continues its sequences. */
    private void secondLife() throws Exception {
        try (WireConnection c = new WireConnection(address)) {
            apiVersions(c);
            awaitLeaders(c);
            fetch(c);
            long[] ends = listOffsets(c);
            for (int p = 0; p < PARTITIONS; p++) {
                if (ends[p] != (long) PRODUCE_ROUNDS * RECORDS_PER_BATCH) {
                    throw new IllegalStateException("after the restart partition " + p + " ends at " + ends[p]
                            + ", not at the " + PRODUCE_ROUNDS * RECORDS_PER_BATCH + " records written before it");
                }
            }
            for (int round = 0; round < PRODUCE_ROUNDS / 10; round++) {
                produce(c, true);
                fetch(c);
            }
            commitOffsets(c);
        }
    }

    private void apiVersions(WireConnection c) throws IOException {
        short version = 3;
        var response = new ApiVersionsResponseData(c.call(ApiKeys.API_VERSIONS, version, new ApiVersionsRequestData()
                .setClientSoftwareName("trib-aot-training").setClientSoftwareVersion(Trib.version())), version);
        check("ApiVersions", response.errorCode());
        for (var key : response.apiKeys()) {
            ApiKeys api = ApiKeys.hasId(key.apiKey()) ? ApiKeys.forId(key.apiKey()) : null;
            if (api != null) {
                versions.put(api, (short) Math.min(key.maxVersion(), api.latestVersion()));
            }
        }
    }

    private short version(ApiKeys api) {
        Short v = versions.get(api);
        if (v == null) {
            throw new IllegalStateException("the broker does not advertise " + api);
        }
        return v;
    }

    private MetadataResponseData metadata(WireConnection c, List<String> topics) throws IOException {
        short v = version(ApiKeys.METADATA);
        var request = new MetadataRequestData().setAllowAutoTopicCreation(false).setTopics(new ArrayList<>());
        for (String t : topics) {
            request.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(t));
        }
        return new MetadataResponseData(c.call(ApiKeys.METADATA, v, request), v);
    }

    private void createTopic(WireConnection c) throws IOException {
        short v = version(ApiKeys.CREATE_TOPICS);
        var topics = new CreateTopicsRequestData.CreatableTopicCollection();
        topics.add(new CreateTopicsRequestData.CreatableTopic().setName(TOPIC).setNumPartitions(PARTITIONS)
                .setReplicationFactor((short) 1));
        var response = new CreateTopicsResponseData(c.call(ApiKeys.CREATE_TOPICS, v,
                new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(30_000)), v);
        for (var t : response.topics()) {
            check("CreateTopics " + t.name(), t.errorCode());
        }
    }

    private void awaitLeaders(WireConnection c) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (true) {
            var topic = metadata(c, List.of(TOPIC)).topics().find(TOPIC);
            if (topic != null && topic.errorCode() == 0 && topic.partitions().size() == PARTITIONS
                    && topic.partitions().stream().allMatch(p -> p.errorCode() == 0 && p.leaderId() >= 0)) {
                topicId = topic.topicId();
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the partitions of " + TOPIC + " got no leader: " + topic);
            }
            Thread.sleep(20);
        }
    }

    private void initProducerId(WireConnection c) throws IOException {
        short v = version(ApiKeys.INIT_PRODUCER_ID);
        var response = new InitProducerIdResponseData(c.call(ApiKeys.INIT_PRODUCER_ID, v, new InitProducerIdRequestData()
                .setTransactionalId(null).setTransactionTimeoutMs(Integer.MAX_VALUE)), v);
        check("InitProducerId", response.errorCode());
        producerId = response.producerId();
        producerEpoch = response.producerEpoch();
    }

    private void produce(WireConnection c, boolean idempotent) throws IOException {
        short v = version(ApiKeys.PRODUCE);
        var topic = new ProduceRequestData.TopicProduceData().setName(TOPIC).setTopicId(topicId);
        long now = System.currentTimeMillis();
        for (int p = 0; p < PARTITIONS; p++) {
            SimpleRecord[] records = new SimpleRecord[RECORDS_PER_BATCH];
            for (int i = 0; i < records.length; i++) {
                records[i] = new SimpleRecord(now, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("value " + i).getBytes(StandardCharsets.UTF_8));
            }
            MemoryRecords batch;
            if (idempotent) {
                batch = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, producerEpoch,
                        nextSequence[p], records);
                nextSequence[p] += records.length;
            } else {
                batch = MemoryRecords.withRecords(Compression.NONE, records);
            }
            topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(p).setRecords(batch));
        }
        var topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(topic);
        var response = new ProduceResponseData(c.call(ApiKeys.PRODUCE, v, new ProduceRequestData()
                .setAcks((short) (idempotent ? -1 : 1)).setTimeoutMs(30_000).setTopicData(topics)), v);
        for (var t : response.responses()) {
            for (var p : t.partitionResponses()) {
                check("Produce to partition " + p.index(), p.errorCode());
            }
        }
    }

    private void fetch(WireConnection c) throws IOException {
        short v = version(ApiKeys.FETCH);
        var topic = new FetchRequestData.FetchTopic().setTopic(TOPIC).setTopicId(topicId);
        for (int p = 0; p < PARTITIONS; p++) {
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(0)
                    .setPartitionMaxBytes(1 << 20));
        }
        var request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1).setMaxBytes(50 << 20)
                .setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1).setTopics(List.of(topic));
        var response = new FetchResponseData(c.call(ApiKeys.FETCH, v, request), v);
        check("Fetch", response.errorCode());
        for (var t : response.responses()) {
            for (var p : t.partitions()) {
                check("Fetch from partition " + p.partitionIndex(), p.errorCode());
            }
        }
    }

    /** @return the log end offset of every partition */
    private long[] listOffsets(WireConnection c) throws IOException {
        short v = version(ApiKeys.LIST_OFFSETS);
        long[] ends = new long[PARTITIONS];
        for (long timestamp : new long[] {-2L, -1L}) {
            var topic = new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC);
            for (int p = 0; p < PARTITIONS; p++) {
                topic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(p)
                        .setTimestamp(timestamp));
            }
            var response = new ListOffsetsResponseData(c.call(ApiKeys.LIST_OFFSETS, v,
                    new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(topic))), v);
            for (var t : response.topics()) {
                for (var p : t.partitions()) {
                    check("ListOffsets of partition " + p.partitionIndex(), p.errorCode());
                    ends[p.partitionIndex()] = p.offset();
                }
            }
        }
        return ends;
    }

    /** A simple (group-less member) commit, which also makes the broker create and load __consumer_offsets. */
    private void commitOffsets(WireConnection c) throws Exception {
        String group = TOPIC;
        short fv = version(ApiKeys.FIND_COORDINATOR);
        var find = new FindCoordinatorRequestData().setKeyType((byte) 0);
        if (fv >= 4) {
            find.setCoordinatorKeys(List.of(group));
        } else {
            find.setKey(group);
        }
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (true) {
            var response = new FindCoordinatorResponseData(c.call(ApiKeys.FIND_COORDINATOR, fv, find), fv);
            short error = fv >= 4 ? response.coordinators().get(0).errorCode() : response.errorCode();
            if (error == 0) {
                break;
            }
            if (error != Errors.COORDINATOR_NOT_AVAILABLE.code() || System.currentTimeMillis() > deadline) {
                check("FindCoordinator", error);
            }
            Thread.sleep(20);
        }
        short v = version(ApiKeys.OFFSET_COMMIT);
        var topic = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC).setTopicId(topicId);
        for (int p = 0; p < PARTITIONS; p++) {
            topic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(p)
                    .setCommittedOffset(nextSequence[p]));
        }
        while (true) {
            var response = new OffsetCommitResponseData(c.call(ApiKeys.OFFSET_COMMIT, v, new OffsetCommitRequestData()
                    .setGroupId(group).setGenerationIdOrMemberEpoch(-1).setMemberId("").setTopics(List.of(topic))), v);
            short error = response.topics().get(0).partitions().get(0).errorCode();
            if (error == 0) {
                return;
            }
            if (error != Errors.COORDINATOR_LOAD_IN_PROGRESS.code() || System.currentTimeMillis() > deadline) {
                check("OffsetCommit", error);
            }
            Thread.sleep(20);
        }
    }

    private static void check(String what, short errorCode) {
        if (errorCode != 0) {
            throw new IllegalStateException(what + " failed: " + Errors.forCode(errorCode));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
