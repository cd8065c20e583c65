package io.tributary.broker.api;

import io.tributary.broker.Partition;
import io.tributary.broker.PartitionManager;
import io.tributary.broker.fetch.FetchPurgatory;
import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import io.tributary.metadata.TopicImage;
import io.tributary.storage.LogAppendInfo;
import io.tributary.storage.PartitionLog;
import io.tributary.storage.RecordValidationException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce (v3+; v0-2 are advertised, as Kafka 4 does so librdkafka keeps working, but refused).
 *
 * <p>Each partition's record set is appended as it arrived: the storage layer validates it and rewrites
 * only batch headers to assign offsets. This node is the whole ISR until replication arrives, so the
 * high watermark moves with every append and acks=1 and acks=all complete together. With acks=0 there
 * is no response; an error then closes the connection, which is how Kafka tells such a producer.
 */
public final class ProduceApi implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(ProduceApi.class);

    private final PartitionManager partitions;
    private final FetchPurgatory purgatory;

    public ProduceApi(PartitionManager partitions, FetchPurgatory purgatory) {
        this.partitions = partitions;
        this.purgatory = purgatory;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        ProduceRequestData request = (ProduceRequestData) message;
        short acks = request.acks();
        boolean usesTopicIds = context.apiVersion() >= 13;
        ProduceResponseData response = new ProduceResponseData();
        boolean anyError = false;
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            String name = topic.name();
            if (usesTopicIds) {
                TopicImage image = partitions.image().topicsById().get(topic.topicId());
                name = image == null ? null : image.name();
            }
            ProduceResponseData.TopicProduceResponse topicResponse = new ProduceResponseData.TopicProduceResponse()
                    .setName(usesTopicIds ? "" : topic.name())
                    .setTopicId(topic.topicId());
            for (ProduceRequestData.PartitionProduceData pd : topic.partitionData()) {
                ProduceResponseData.PartitionProduceResponse pr = new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(pd.index());
                if (acks != 0 && acks != 1 && acks != -1) {
                    error(pr, Errors.INVALID_REQUIRED_ACKS, null);
                } else if (name == null) {
                    error(pr, usesTopicIds ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
                } else if (Topic.isInternal(name)) {
                    // Coordinator state lives there; a client's bytes would break its replay.
                    error(pr, Errors.INVALID_TOPIC_EXCEPTION, "Cannot append to internal topic " + name);
                } else {
                    append(name, pd, pr);
                }
                anyError |= pr.errorCode() != Errors.NONE.code();
                topicResponse.partitionResponses().add(pr);
            }
            response.responses().add(topicResponse);
        }
        if (acks == 0) {
            if (anyError) {
                slot.closeConnection("acks=0 produce request failed; closing so the producer notices");
            }
            slot.completeWithoutResponse();
        } else {
            slot.complete(response);
        }
    }

    private void append(String topic, ProduceRequestData.PartitionProduceData pd, ProduceResponseData.PartitionProduceResponse pr) {
        Partition partition;
        try {
            partition = partitions.partition(topic, pd.index());
        } catch (KafkaStorageException e) {
            // Its log directory failed (or none is left to create the log in).
            error(pr, Errors.KAFKA_STORAGE_ERROR, e.getMessage());
            return;
        }
        if (partition == null) {
            TopicImage image = partitions.image().topicsByName().get(topic);
            error(pr, image != null && image.partitions().containsKey(pd.index())
                    ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
            return;
        }
        if (!(pd.records() instanceof MemoryRecords records)) {
            error(pr, Errors.INVALID_REQUEST, "no records");
            return;
        }
        PartitionLog log = partition.log();
        try {
            ByteBuffer buffer = records.buffer();
            int size = buffer.remaining();
            LogAppendInfo info = partition.appendAsLeader(buffer);
            pr.setBaseOffset(info.firstOffset())
                    .setLogAppendTimeMs(info.logAppendTimeMs())
                    .setLogStartOffset(info.logStartOffset());
            if (!info.duplicate()) {
                purgatory.onAppend(partition.topicPartition(), size);
            }
        } catch (ApiException e) {
            error(pr, Errors.forException(e), e.getMessage());
            pr.setLogStartOffset(log.logStartOffset());
            if (e instanceof RecordValidationException rejected) {
                // KIP-467: the producer fails just these records with their message, the rest of the batch generically.
                for (RecordValidationException.RecordError re : rejected.recordErrors()) {
                    pr.recordErrors().add(new ProduceResponseData.BatchIndexAndErrorMessage()
                            .setBatchIndex(re.batchIndex()).setBatchIndexErrorMessage(re.message()));
                }
            }
        } catch (RuntimeException e) {
            ProduceApi.log.error("Append to {} failed", partition.topicPartition(), e);
            error(pr, Errors.KAFKA_STORAGE_ERROR, e.getMessage());
        }
    }

    private static void error(ProduceResponseData.PartitionProduceResponse pr, Errors error, String message) {
        pr.setErrorCode(error.code()).setErrorMessage(message).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
    }
}
