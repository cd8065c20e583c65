package io.tributary.broker.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.TestBroker;
import io.tributary.broker.TestConnection;
import io.tributary.broker.TestRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ListOffsets: the special earliest/latest/max-timestamp lookups and search by timestamp. */
class ListOffsetsApiTest {
    private static final long T = TestBroker.START_MS;
    private static final int LEADER_EPOCH = 4;
    private static final short LATEST = ApiKeys.LIST_OFFSETS.latestVersion();

    @TempDir
    Path dir;
    private TestBroker broker;
    private TestConnection client;

    @BeforeEach
    void setUp() {
        broker = new TestBroker(dir);
        broker.createTopic("t", 2, LEADER_EPOCH);
        client = broker.connect();
        // Offsets 0-1 at T+100/T+101, offset 2 at T+300 (the newest), offsets 3-4 at T+200/T+201.
        broker.produce("t", 0, TestRecords.batch(T + 100, "a", "b"));
        broker.produce("t", 0, TestRecords.batch(T + 300, "max"));
        broker.produce("t", 0, TestRecords.batch(T + 200, "c", "d"));
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private ListOffsetsResponseData.ListOffsetsPartitionResponse lookup(short version, String topic, int partition,
                                                                        long timestamp, int currentLeaderEpoch) {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(ListOffsetsRequest.CONSUMER_REPLICA_ID)
                .setIsolationLevel((byte) 0);
        request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(new ArrayList<>(List.of(
                new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(partition).setTimestamp(timestamp)
                        .setCurrentLeaderEpoch(currentLeaderEpoch)))));
        ListOffsetsResponseData response = client.call(ApiKeys.LIST_OFFSETS, version, request);
        assertThat(response.topics()).hasSize(1);
        assertThat(response.topics().get(0).name()).isEqualTo(topic);
        assertThat(response.topics().get(0).partitions()).hasSize(1);
        ListOffsetsResponseData.ListOffsetsPartitionResponse p = response.topics().get(0).partitions().get(0);
        assertThat(p.partitionIndex()).isEqualTo(partition);
        return p;
    }

    private ListOffsetsResponseData.ListOffsetsPartitionResponse lookup(long timestamp) {
        ListOffsetsResponseData.ListOffsetsPartitionResponse p = lookup(LATEST, "t", 0, timestamp, -1);
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
        return p;
    }

    @Test
    void earliestIsTheLogStartOffset() {
        assertThat(lookup(ListOffsetsRequest.EARLIEST_TIMESTAMP).offset()).isZero();
        broker.log("t", 0).maybeIncrementLogStartOffset(3);
        ListOffsetsResponseData.ListOffsetsPartitionResponse p = lookup(ListOffsetsRequest.EARLIEST_TIMESTAMP);
        assertThat(p.offset()).isEqualTo(3);
        assertThat(lookup(ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP).offset()).isEqualTo(3);
    }

    @Test
    void latestIsTheHighWatermarkWithTheLeaderEpoch() {
        ListOffsetsResponseData.ListOffsetsPartitionResponse p = lookup(ListOffsetsRequest.LATEST_TIMESTAMP);
        assertThat(p.offset()).isEqualTo(5);
        assertThat(p.leaderEpoch()).isEqualTo(LEADER_EPOCH);
        ListOffsetsResponseData.ListOffsetsPartitionResponse empty = lookup(LATEST, "t", 1, ListOffsetsRequest.LATEST_TIMESTAMP, -1);
        assertThat(empty.offset()).isZero();
    }

    @Test
    void latestIsTheHighWatermarkNotTheLogEnd() {
        broker.log("t", 0).appendAsLeader(TestRecords.batch(T + 400, "unacknowledged").buffer(), LEADER_EPOCH);
        assertThat(broker.log("t", 0).logEndOffset()).isEqualTo(6);
        assertThat(lookup(ListOffsetsRequest.LATEST_TIMESTAMP).offset()).isEqualTo(5);
    }

    @Test
    void maxTimestampFindsTheNewestRecordEvenWhenItIsNotTheLast() {
        ListOffsetsResponseData.ListOffsetsPartitionResponse p = lookup(ListOffsetsRequest.MAX_TIMESTAMP);
        assertThat(p.offset()).isEqualTo(2);
        assertThat(p.timestamp()).isEqualTo(T + 300);
        assertThat(p.leaderEpoch()).isEqualTo(LEADER_EPOCH);
    }

    @Test
    void byTimestampFindsTheFirstRecordAtOrAfterIt() {
        assertThat(lookup(T)).extracting(r -> r.offset(), r -> r.timestamp()).containsExactly(0L, T + 100);
        assertThat(lookup(T + 100)).extracting(r -> r.offset(), r -> r.timestamp()).containsExactly(0L, T + 100);
        assertThat(lookup(T + 101)).extracting(r -> r.offset(), r -> r.timestamp()).containsExactly(1L, T + 101);
        assertThat(lookup(T + 102)).extracting(r -> r.offset(), r -> r.timestamp()).containsExactly(2L, T + 300);
        assertThat(lookup(T + 250)).extracting(r -> r.offset(), r -> r.timestamp()).containsExactly(2L, T + 300);
        assertThat(lookup(T + 300).leaderEpoch()).isEqualTo(LEADER_EPOCH);

        ListOffsetsResponseData.ListOffsetsPartitionResponse none = lookup(T + 301);
        assertThat(none.offset()).isEqualTo(-1);
        assertThat(none.timestamp()).isEqualTo(-1);
        assertThat(none.leaderEpoch()).isEqualTo(-1);
    }

    @Test
    void searchesSkipRecordsBelowTheLogStart() {
        broker.log("t", 0).maybeIncrementLogStartOffset(1);
        assertThat(lookup(T + 100).offset()).isEqualTo(1);
    }

    @Test
    void olderVersionsAnswerWithoutLeaderEpochs() {
        ListOffsetsResponseData.ListOffsetsPartitionResponse p = lookup((short) 1, "t", 0, ListOffsetsRequest.LATEST_TIMESTAMP, -1);
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
        assertThat(p.offset()).isEqualTo(5);
        assertThat(lookup((short) 1, "t", 0, T + 150, -1).offset()).isEqualTo(2);
    }

    @Test
    void unknownPartitionsAndStaleEpochsAreErrors() {
        assertThat(Errors.forCode(lookup(LATEST, "nope", 0, ListOffsetsRequest.LATEST_TIMESTAMP, -1).errorCode()))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(Errors.forCode(lookup(LATEST, "t", 5, ListOffsetsRequest.LATEST_TIMESTAMP, -1).errorCode()))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(Errors.forCode(lookup(LATEST, "t", 0, ListOffsetsRequest.LATEST_TIMESTAMP, LEADER_EPOCH - 1).errorCode()))
                .isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(Errors.forCode(lookup(LATEST, "t", 0, ListOffsetsRequest.LATEST_TIMESTAMP, LEADER_EPOCH + 1).errorCode()))
                .isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
        ListOffsetsResponseData.ListOffsetsPartitionResponse ok = lookup(LATEST, "t", 0, ListOffsetsRequest.LATEST_TIMESTAMP, LEADER_EPOCH);
        assertThat(Errors.forCode(ok.errorCode())).isEqualTo(Errors.NONE);
        assertThat(ok.offset()).isEqualTo(5);
    }
}
