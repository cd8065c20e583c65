package io.tributary.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * Requests for {@link RawConnection}, built with kafka-clients' message classes at fixed versions: Produce v11
 * (the last to address topics by name, which keeps the tests free of topic-id lookups) and InitProducerId v4.
 */
final class RawRequests {
    static final short PRODUCE_VERSION = 11;
    static final short INIT_PRODUCER_ID_VERSION = 4;

    private RawRequests() {
    }

    static InitProducerIdRequest initProducerId() {
        // What an idempotent, non-transactional producer sends.
        return new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId(null)
                .setTransactionTimeoutMs(Integer.MAX_VALUE)).build(INIT_PRODUCER_ID_VERSION);
    }

    static ProduceRequest produce(String topic, int partition, MemoryRecords records) {
        return produce(topic, partition, records, PRODUCE_VERSION);
    }

    static ProduceRequest produce(String topic, int partition, MemoryRecords records, short version) {
        ProduceRequestData data = new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(30_000)
                .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(
                        new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                                new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(records))))
                        .iterator()));
        return ProduceRequest.builder(data).build(version);
    }

    /** The one partition result of a single-partition produce. */
    static ProduceResponseData.PartitionProduceResponse onlyPartition(ProduceResponse response) {
        var topics = response.data().responses();
        if (topics.size() != 1 || topics.iterator().next().partitionResponses().size() != 1) {
            throw new AssertionError("expected one topic with one partition in " + response.data());
        }
        return topics.iterator().next().partitionResponses().get(0);
    }

    static SimpleRecord[] values(String... values) {
        SimpleRecord[] out = new SimpleRecord[values.length];
        long now = System.currentTimeMillis();
        for (int i = 0; i < values.length; i++) {
            out[i] = new SimpleRecord(now, null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    static MemoryRecords batch(String... values) {
        return MemoryRecords.withRecords(Compression.NONE, values(values));
    }

    /** A copy, so the same bytes can be sent again (serializing a request consumes nothing, but be explicit). */
    static MemoryRecords copy(MemoryRecords records) {
        ByteBuffer b = ByteBuffer.allocate(records.sizeInBytes());
        b.put(records.buffer().duplicate()).flip();
        return MemoryRecords.readableRecords(b);
    }
}
