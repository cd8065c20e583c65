package io.tributary.broker.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.TestBroker;
import io.tributary.broker.TestConnection;
import io.tributary.broker.TestRecords;
import io.tributary.storage.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Produce as a client sees it: per-partition results, acks handling, validation errors and idempotent retries. */
class ProduceApiTest {
    private static final long T = TestBroker.START_MS;
    private static final short V12 = 12;
    private static final short V13 = 13;

    @TempDir
    Path dir;
    private TestBroker broker;
    private TestConnection producer;
    private Uuid topicId;

    @BeforeEach
    void setUp() {
        broker = new TestBroker(dir);
        topicId = broker.createTopic("t", 2, 3);
        producer = broker.connect();
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private record Part(String topic, Uuid topicId, int partition, MemoryRecords records) {
    }

    private static Part part(String topic, int partition, MemoryRecords records) {
        return new Part(topic, Uuid.ZERO_UUID, partition, records);
    }

    private static ProduceRequestData request(short acks, Part... parts) {
        ProduceRequestData request = new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000);
        for (Part p : parts) {
            ProduceRequestData.TopicProduceData topic = request.topicData().find(p.topic == null ? "" : p.topic, p.topicId);
            if (topic == null) {
                topic = new ProduceRequestData.TopicProduceData().setName(p.topic == null ? "" : p.topic).setTopicId(p.topicId);
                request.topicData().add(topic);
            }
            topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(p.partition).setRecords(p.records));
        }
        return request;
    }

    private static List<ProduceResponseData.PartitionProduceResponse> partitions(ProduceResponseData response) {
        List<ProduceResponseData.PartitionProduceResponse> out = new ArrayList<>();
        for (ProduceResponseData.TopicProduceResponse t : response.responses()) {
            out.addAll(t.partitionResponses());
        }
        return out;
    }

    private static Errors error(ProduceResponseData.PartitionProduceResponse p) {
        return Errors.forCode(p.errorCode());
    }

    @Test
    void acksOneReturnsBaseOffsetsAndMovesTheHighWatermark() {
        ProduceResponseData first = producer.call(ApiKeys.PRODUCE, V12, request((short) 1,
                part("t", 0, TestRecords.batch(T, "a", "b")), part("t", 1, TestRecords.batch(T, "x"))));
        assertThat(partitions(first)).extracting(ProduceResponseData.PartitionProduceResponse::index).containsExactly(0, 1);
        for (ProduceResponseData.PartitionProduceResponse p : partitions(first)) {
            assertThat(error(p)).isEqualTo(Errors.NONE);
            assertThat(p.baseOffset()).isZero();
            assertThat(p.logStartOffset()).isZero();
            assertThat(p.logAppendTimeMs()).as("CreateTime topic").isEqualTo(-1);
        }
        assertThat(first.responses().iterator().next().name()).isEqualTo("t");

        ProduceResponseData second = producer.call(ApiKeys.PRODUCE, V12, request((short) -1, part("t", 0, TestRecords.batch(T, "c"))));
        assertThat(partitions(second).get(0).baseOffset()).isEqualTo(2);
        PartitionLog log = broker.log("t", 0);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.highWatermark()).isEqualTo(3);
    }

    @Test
    void batchesAreStampedWithTheLeaderEpoch() {
        broker.produce("t", 0, TestRecords.batch(T, "a"));
        FetchRequestData fetch = new FetchRequestData().setMaxWaitMs(0).setMaxBytes(1 << 20).setSessionEpoch(-1);
        fetch.topics().add(new FetchRequestData.FetchTopic().setTopicId(topicId).setPartitions(new ArrayList<>(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20)))));
        FetchResponseData r = producer.call(ApiKeys.FETCH, ApiKeys.FETCH.latestVersion(), fetch);
        MemoryRecords records = (MemoryRecords) r.responses().get(0).partitions().get(0).records();
        for (RecordBatch b : records.batches()) {
            assertThat(b.partitionLeaderEpoch()).isEqualTo(3);
            assertThat(b.isValid()).isTrue();
        }
        assertThat(records.batches()).hasSize(1);
    }

    @Test
    void acksZeroGetsNoResponseButItsRecordsAreWritten() {
        producer.send(ApiKeys.PRODUCE, V12, request((short) 0, part("t", 0, TestRecords.batch(T, "fire", "forget"))));
        assertThat(producer.poll()).isNull();
        assertThat(broker.log("t", 0).logEndOffset()).isEqualTo(2);

        // The next request on the connection is answered, and not mistaken for the one before.
        ProduceResponseData next = producer.call(ApiKeys.PRODUCE, V12, request((short) 1, part("t", 0, TestRecords.batch(T, "ack"))));
        assertThat(partitions(next).get(0).baseOffset()).isEqualTo(2);
        assertThat(producer.awaitingResponses()).as("only the acks=0 request stays unanswered").isEqualTo(1);
        assertThat(producer.isOpen()).isTrue();
    }

    @Test
    void aFailedAcksZeroRequestClosesTheConnection() {
        producer.send(ApiKeys.PRODUCE, V12, request((short) 0, part("nope", 0, TestRecords.batch(T, "lost"))));
        assertThat(producer.poll()).isNull();
        assertThat(producer.isOpen()).isFalse();
    }

    @Test
    void invalidAcksAreRefusedForEveryPartitionAndNothingIsWritten() {
        ProduceResponseData r = producer.call(ApiKeys.PRODUCE, V12, request((short) 2,
                part("t", 0, TestRecords.batch(T, "a")), part("t", 1, TestRecords.batch(T, "b"))));
        assertThat(partitions(r)).hasSize(2).allSatisfy(p -> {
            assertThat(error(p)).isEqualTo(Errors.INVALID_REQUIRED_ACKS);
            assertThat(p.baseOffset()).isEqualTo(-1);
        });
        assertThat(broker.log("t", 0).logEndOffset()).isZero();
        assertThat(broker.log("t", 1).logEndOffset()).isZero();
    }

    @Test
    void unknownTopicsAndPartitionsAndForeignLeadersAreRefused() {
        broker.createTopicLedElsewhere("remote", 1);
        ProduceResponseData r = producer.call(ApiKeys.PRODUCE, V12, request((short) 1,
                part("nope", 0, TestRecords.batch(T, "a")),
                part("t", 9, TestRecords.batch(T, "b")),
                part("t", 0, TestRecords.batch(T, "ok")),
                part("remote", 0, TestRecords.batch(T, "c"))));
        List<ProduceResponseData.PartitionProduceResponse> ps = partitions(r);
        assertThat(ps).extracting(p -> error(p)).containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.NONE, Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(ps.get(2).baseOffset()).isZero();
        assertThat(broker.log("t", 0).logEndOffset()).isEqualTo(1);
    }

    @Test
    void clientsCannotAppendToInternalTopics() {
        broker.createTopic("__consumer_offsets", 1);
        ProduceResponseData r = producer.call(ApiKeys.PRODUCE, V12, request((short) 1,
                part("__consumer_offsets", 0, TestRecords.batch(T, "garbage"))));
        assertThat(partitions(r)).extracting(p -> error(p)).containsExactly(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(broker.log("__consumer_offsets", 0).logEndOffset()).isZero();
    }

    @Test
    void aCorruptedBatchIsRefusedWithoutWritingIt() {
        MemoryRecords records = TestRecords.batch(T, "intact");
        ByteBuffer buf = records.buffer();
        int inValue = buf.limit() - 2; // the value's last byte; the batch ends with the record's header count
        buf.put(inValue, (byte) (buf.get(inValue) ^ 0x5a));
        assertThat(records.batches().iterator().next().isValid()).isFalse();

        ProduceResponseData r = producer.call(ApiKeys.PRODUCE, V12, request((short) 1,
                part("t", 0, records), part("t", 1, TestRecords.batch(T, "fine"))));
        List<ProduceResponseData.PartitionProduceResponse> ps = partitions(r);
        assertThat(error(ps.get(0))).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(ps.get(0).baseOffset()).isEqualTo(-1);
        assertThat(error(ps.get(1))).isEqualTo(Errors.NONE);
        assertThat(broker.log("t", 0).logEndOffset()).isZero();
        assertThat(producer.isOpen()).isTrue();
    }

    @Test
    void aRetriedIdempotentBatchReturnsTheOriginalOffsetAndIsNotWrittenTwice() {
        broker.produce("t", 0, TestRecords.batch(T, "before", "idempotence"));
        long producerId = 4000;
        MemoryRecords batch0 = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, 0,
                new SimpleRecord(T, null, "s0".getBytes()), new SimpleRecord(T, null, "s1".getBytes()));
        MemoryRecords batch1 = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, 2,
                new SimpleRecord(T, null, "s2".getBytes()));

        assertThat(partitions(producer.call(ApiKeys.PRODUCE, V12, request((short) -1, part("t", 0, batch0)))).get(0).baseOffset()).isEqualTo(2);
        assertThat(partitions(producer.call(ApiKeys.PRODUCE, V12, request((short) -1, part("t", 0, batch1)))).get(0).baseOffset()).isEqualTo(4);

        // Both retried, oldest first, as a producer does after a lost response.
        ProduceResponseData.PartitionProduceResponse retry0 = partitions(producer.call(ApiKeys.PRODUCE, V12, request((short) -1, part("t", 0, batch0)))).get(0);
        assertThat(error(retry0)).isEqualTo(Errors.NONE);
        assertThat(retry0.baseOffset()).isEqualTo(2);
        ProduceResponseData.PartitionProduceResponse retry1 = partitions(producer.call(ApiKeys.PRODUCE, V12, request((short) -1, part("t", 0, batch1)))).get(0);
        assertThat(error(retry1)).isEqualTo(Errors.NONE);
        assertThat(retry1.baseOffset()).isEqualTo(4);
        assertThat(broker.log("t", 0).logEndOffset()).isEqualTo(5);
        assertThat(broker.log("t", 0).highWatermark()).isEqualTo(5);

        MemoryRecords gap = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, 7,
                new SimpleRecord(T, null, "gap".getBytes()));
        ProduceResponseData.PartitionProduceResponse outOfOrder = partitions(producer.call(ApiKeys.PRODUCE, V12, request((short) -1, part("t", 0, gap)))).get(0);
        assertThat(error(outOfOrder)).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(broker.log("t", 0).logEndOffset()).isEqualTo(5);
    }

    @Test
    void version13AddressesTopicsById() {
        ProduceResponseData r = producer.call(ApiKeys.PRODUCE, V13, request((short) 1,
                new Part(null, topicId, 1, TestRecords.batch(T, "by-id")),
                new Part(null, new Uuid(9, 9), 0, TestRecords.batch(T, "lost"))));
        List<ProduceResponseData.TopicProduceResponse> topics = new ArrayList<>(r.responses());
        assertThat(topics).extracting(ProduceResponseData.TopicProduceResponse::topicId).containsExactly(topicId, new Uuid(9, 9));
        ProduceResponseData.PartitionProduceResponse ok = topics.get(0).partitionResponses().get(0);
        assertThat(ok.index()).isEqualTo(1);
        assertThat(error(ok)).isEqualTo(Errors.NONE);
        assertThat(ok.baseOffset()).isZero();
        assertThat(error(topics.get(1).partitionResponses().get(0))).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
        assertThat(broker.log("t", 1).logEndOffset()).isEqualTo(1);
    }
}
