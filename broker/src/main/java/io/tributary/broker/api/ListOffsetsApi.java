package io.tributary.broker.api;

import io.tributary.broker.Partition;
import io.tributary.broker.PartitionManager;
import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import io.tributary.storage.PartitionLog;
import io.tributary.storage.TimestampOffset;
import java.util.Optional;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets (v1+): earliest, latest, max-timestamp and by-timestamp lookups. Latest is the high
 * watermark (what a consumer can read), by-timestamp goes through the time index.
 */
public final class ListOffsetsApi implements ApiHandler {
    private final PartitionManager partitions;

    public ListOffsetsApi(PartitionManager partitions) {
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        ListOffsetsRequestData request = (ListOffsetsRequestData) message;
        short version = context.apiVersion();
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse tr = new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                tr.partitions().add(lookup(topic.name(), p, version));
            }
            response.topics().add(tr);
        }
        slot.complete(response);
    }

    private ListOffsetsResponseData.ListOffsetsPartitionResponse lookup(String topic, ListOffsetsRequestData.ListOffsetsPartition p, short version) {
        ListOffsetsResponseData.ListOffsetsPartitionResponse r = new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                .setPartitionIndex(p.partitionIndex()).setTimestamp(-1).setOffset(-1);
        Partition partition;
        try {
            partition = partitions.partition(topic, p.partitionIndex());
        } catch (KafkaStorageException e) {
            return r.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        if (partition == null) {
            return r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (partition.log().isOffline()) {
            // Even earliest/latest, which need no disk read: Kafka answers nothing from a failed directory.
            return r.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != partition.leaderEpoch()) {
            return r.setErrorCode((p.currentLeaderEpoch() > partition.leaderEpoch()
                    ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH).code());
        }
        PartitionLog log = partition.log();
        try {
            long ts = p.timestamp();
            Optional<TimestampOffset> found;
            if (ts == ListOffsetsRequest.LATEST_TIMESTAMP) {
                found = Optional.of(new TimestampOffset(-1, log.highWatermark(), log.latestEpoch()));
            } else if (ts == ListOffsetsRequest.EARLIEST_TIMESTAMP || ts == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
                found = Optional.of(new TimestampOffset(-1, log.logStartOffset(), -1));
            } else if (ts == ListOffsetsRequest.MAX_TIMESTAMP) {
                found = log.offsetOfMaxTimestamp();
            } else if (ts == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP) {
                found = Optional.of(new TimestampOffset(-1, -1, -1));
            } else if (ts < 0) {
                return r.setErrorCode(Errors.INVALID_REQUEST.code());
            } else {
                found = log.offsetForTimestamp(ts);
            }
            if (found.isPresent()) {
                TimestampOffset t = found.get();
                r.setTimestamp(t.timestampMs()).setOffset(t.offset());
                if (version >= 4) {
                    r.setLeaderEpoch(t.leaderEpoch());
                }
            }
            return r.setErrorCode(Errors.NONE.code());
        } catch (ApiException e) {
            return r.setErrorCode(Errors.forException(e).code());
        }
    }
}
