package io.tributary.broker.fetch;

import io.tributary.broker.TestConnection;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** Builders for fetch requests and lookups into fetch responses, shared by the fetch tests. */
final class FetchRequests {
    static final short V12 = 12;
    static final short V13 = 13;
    static final short LATEST = ApiKeys.FETCH.latestVersion();
    static final int PARTITION_MAX_BYTES = 1 << 20;

    private FetchRequests() {
    }

    static FetchRequestData.FetchPartition partition(int partition, long fetchOffset) {
        return new FetchRequestData.FetchPartition().setPartition(partition).setFetchOffset(fetchOffset)
                .setPartitionMaxBytes(PARTITION_MAX_BYTES).setCurrentLeaderEpoch(-1).setLogStartOffset(-1);
    }

    /** A topic by name, for v12 and older. */
    static FetchRequestData.FetchTopic topic(String name, FetchRequestData.FetchPartition... partitions) {
        return new FetchRequestData.FetchTopic().setTopic(name).setPartitions(new ArrayList<>(List.of(partitions)));
    }

    /** A topic by id, for v13 and newer. */
    static FetchRequestData.FetchTopic topic(Uuid id, FetchRequestData.FetchPartition... partitions) {
        return new FetchRequestData.FetchTopic().setTopicId(id).setPartitions(new ArrayList<>(List.of(partitions)));
    }

    /** A fetch that answers at once (max wait 0), in the given session state. */
    static FetchRequestData request(int sessionId, int sessionEpoch, FetchRequestData.FetchTopic... topics) {
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(Integer.MAX_VALUE)
                .setIsolationLevel((byte) 0).setSessionId(sessionId).setSessionEpoch(sessionEpoch)
                .setTopics(new ArrayList<>(List.of(topics)));
    }

    static FetchRequestData forget(FetchRequestData request, String topic, Integer... partitions) {
        request.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic().setTopic(topic)
                .setPartitions(new ArrayList<>(List.of(partitions))));
        return request;
    }

    static FetchRequestData forget(FetchRequestData request, Uuid topicId, Integer... partitions) {
        request.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic().setTopicId(topicId)
                .setPartitions(new ArrayList<>(List.of(partitions))));
        return request;
    }

    static FetchResponseData fetch(TestConnection client, short version, FetchRequestData request) {
        return client.call(ApiKeys.FETCH, version, request);
    }

    /** "topic-partition" (or "topicId-partition" when the response carries ids) of every partition, in order. */
    static List<String> partitionsIn(FetchResponseData response) {
        List<String> out = new ArrayList<>();
        for (FetchResponseData.FetchableTopicResponse t : response.responses()) {
            String topic = t.topic().isEmpty() ? t.topicId().toString() : t.topic();
            for (FetchResponseData.PartitionData p : t.partitions()) {
                out.add(topic + "-" + p.partitionIndex());
            }
        }
        return out;
    }

    /** The partition's data in a response to a by-name request; fails if absent. */
    static FetchResponseData.PartitionData find(FetchResponseData response, String topic, int partition) {
        for (FetchResponseData.FetchableTopicResponse t : response.responses()) {
            if (t.topic().equals(topic)) {
                for (FetchResponseData.PartitionData p : t.partitions()) {
                    if (p.partitionIndex() == partition) {
                        return p;
                    }
                }
            }
        }
        throw new AssertionError(topic + "-" + partition + " is not in the response " + response);
    }

    static FetchResponseData.PartitionData find(FetchResponseData response, Uuid topicId, int partition) {
        for (FetchResponseData.FetchableTopicResponse t : response.responses()) {
            if (t.topicId().equals(topicId)) {
                for (FetchResponseData.PartitionData p : t.partitions()) {
                    if (p.partitionIndex() == partition) {
                        return p;
                    }
                }
            }
        }
        throw new AssertionError(topicId + "-" + partition + " is not in the response " + response);
    }

    static Errors error(FetchResponseData.PartitionData p) {
        return Errors.forCode(p.errorCode());
    }
}
