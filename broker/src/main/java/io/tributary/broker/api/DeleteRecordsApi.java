package io.tributary.broker.api;

import io.tributary.broker.Partition;
import io.tributary.broker.PartitionManager;
import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import io.tributary.metadata.TopicImage;
import io.tributary.storage.PartitionLog;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeleteRecords (v0+): moves a partition's log start offset up to the requested offset, so everything below it is
 * gone for consumers at once (a fetch there gets OFFSET_OUT_OF_RANGE and resets per auto.offset.reset) and whole
 * segments below it are deleted. The answer is the new low watermark, which with this broker as the only replica is
 * the log start offset itself, so there is nothing to wait for.
 *
 * <p>As in Kafka: offset -1 means "up to the high watermark"; any other negative offset, or one above the high
 * watermark, is OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy does not include delete refuses with
 * POLICY_VIOLATION; internal topics cannot be trimmed by clients; a partition on a failed log directory answers
 * KAFKA_STORAGE_ERROR.
 */
public final class DeleteRecordsApi implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(DeleteRecordsApi.class);

    private final PartitionManager partitions;

    public DeleteRecordsApi(PartitionManager partitions) {
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        DeleteRecordsRequestData request = (DeleteRecordsRequestData) message;
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : request.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult tr =
                    new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : topic.partitions()) {
                tr.partitions().add(delete(topic.name(), p.partitionIndex(), p.offset()));
            }
            response.topics().add(tr);
        }
        slot.complete(response);
    }

    private DeleteRecordsResponseData.DeleteRecordsPartitionResult delete(String topic, int partitionIndex, long offset) {
        DeleteRecordsResponseData.DeleteRecordsPartitionResult r = new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                .setPartitionIndex(partitionIndex).setLowWatermark(-1);
        if (Topic.isInternal(topic)) {
            return r.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        try {
            Partition partition = partitions.partition(topic, partitionIndex);
            if (partition == null) {
                TopicImage image = partitions.image().topicsByName().get(topic);
                Errors error = image != null && image.partitions().containsKey(partitionIndex)
                        ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                return r.setErrorCode(error.code());
            }
            PartitionLog partitionLog = partition.log();
            if (partitionLog.isOffline()) {
                return r.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
            }
            if (!partitionLog.config().cleanupPolicy().delete()) {
                return r.setErrorCode(Errors.POLICY_VIOLATION.code());
            }
            long target = offset == DeleteRecordsRequest.HIGH_WATERMARK ? partitionLog.highWatermark() : offset;
            if (target < 0) {
                return r.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
            }
            partitionLog.maybeIncrementLogStartOffset(target);
            return r.setLowWatermark(partitionLog.logStartOffset()).setErrorCode(Errors.NONE.code());
        } catch (ApiException e) {
            return r.setErrorCode(Errors.forException(e).code());
        } catch (RuntimeException e) {
            log.error("DeleteRecords on {}-{} failed", topic, partitionIndex, e);
            return r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code());
        }
    }
}
