package io.tributary.broker.fetch;

import static io.tributary.broker.fetch.FetchRequests.V12;
import static io.tributary.broker.fetch.FetchRequests.find;
import static io.tributary.broker.fetch.FetchRequests.partition;
import static io.tributary.broker.fetch.FetchRequests.request;
import static io.tributary.broker.fetch.FetchRequests.topic;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.TestBroker;
import io.tributary.broker.TestConnection;
import io.tributary.broker.TestRecords;
import java.nio.file.Path;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long polling: a fetch that finds fewer than min_bytes waits in the purgatory until appends bring enough, or
 * until max_wait_ms passes. The fetching connection's clock is an {@link io.netty.channel.embedded.EmbeddedChannel}'s
 * frozen clock, so "10 seconds later" takes no time and no test depends on timing.
 */
class LongPollFetchTest {
    private static final long T = TestBroker.START_MS;
    private static final int MAX_WAIT_MS = 10_000;

    @TempDir
    Path dir;
    private TestBroker broker;
    private TestConnection consumer;

    @BeforeEach
    void setUp() {
        broker = new TestBroker(dir);
        broker.createTopic("t", 2);
        consumer = broker.connect();
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static FetchRequestData longPoll(int minBytes, FetchRequestData.FetchTopic... topics) {
        return request(0, -1, topics).setMaxWaitMs(MAX_WAIT_MS).setMinBytes(minBytes);
    }

    private FetchResponseData awaitFetch(int correlationId) {
        TestConnection.Response r = consumer.poll();
        assertThat(r).as("the parked fetch should have been answered").isNotNull();
        assertThat(r.correlationId()).isEqualTo(correlationId);
        return (FetchResponseData) r.body();
    }

    @Test
    void aParkedFetchIsAnsweredByTheAppendThatSatisfiesIt() {
        int fetch = consumer.send(ApiKeys.FETCH, V12, longPoll(1, topic("t", partition(0, 0))));
        assertThat(consumer.poll()).as("nothing to read yet").isNull();
        assertThat(broker.purgatory.waiting()).isEqualTo(1);
        consumer.advanceTime(MAX_WAIT_MS - 1);
        assertThat(consumer.poll()).isNull();

        broker.produce("t", 0, TestRecords.batch(T, "hello"));

        FetchResponseData r = awaitFetch(fetch);
        FetchResponseData.PartitionData p = find(r, "t", 0);
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
        assertThat(TestRecords.values(p.records())).containsExactly("hello");
        assertThat(p.highWatermark()).isEqualTo(1);
        assertThat(broker.purgatory.waiting()).isZero();

        // The timeout was cancelled: running the clock on answers nothing twice.
        consumer.advanceTime(MAX_WAIT_MS);
        assertThat(consumer.poll()).isNull();
        assertThat(consumer.isOpen()).isTrue();
    }

    @Test
    void withoutAppendsTheFetchIsAnsweredEmptyAfterMaxWait() {
        broker.produce("t", 0, TestRecords.batch(T, "old"));
        int fetch = consumer.send(ApiKeys.FETCH, V12, longPoll(1, topic("t", partition(0, 1))));
        consumer.advanceTime(MAX_WAIT_MS - 1);
        assertThat(consumer.poll()).isNull();

        consumer.advanceTime(1);

        FetchResponseData.PartitionData p = find(awaitFetch(fetch), "t", 0);
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
        assertThat(p.records().sizeInBytes()).isZero();
        assertThat(p.highWatermark()).isEqualTo(1);
        assertThat(broker.purgatory.waiting()).isZero();

        // A late append finds no watcher and must not answer the fetch a second time.
        broker.produce("t", 0, TestRecords.batch(T, "late"));
        assertThat(consumer.poll()).isNull();
        assertThat(consumer.isOpen()).isTrue();
    }

    @Test
    void appendsToOtherPartitionsDoNotWakeTheFetch() {
        consumer.send(ApiKeys.FETCH, V12, longPoll(1, topic("t", partition(0, 0))));
        broker.produce("t", 1, TestRecords.batch(T, "elsewhere"));
        assertThat(consumer.poll()).isNull();
        assertThat(broker.purgatory.waiting()).isEqualTo(1);
    }

    @Test
    void theFetchWaitsUntilMinBytesHaveArrived() {
        MemoryRecords first = TestRecords.sized(T, 100);
        int fetch = consumer.send(ApiKeys.FETCH, V12, longPoll(first.sizeInBytes() + 1, topic("t", partition(0, 0), partition(1, 0))));

        broker.produce("t", 0, first);
        assertThat(consumer.poll()).as("one byte short").isNull();
        broker.produce("t", 1, TestRecords.sized(T, 1));

        FetchResponseData r = awaitFetch(fetch);
        assertThat(TestRecords.offsets(find(r, "t", 0).records())).containsExactly(0L);
        assertThat(TestRecords.offsets(find(r, "t", 1).records())).containsExactly(0L);
    }

    @Test
    void dataAlreadyThereAnswersAtOnce() {
        broker.produce("t", 0, TestRecords.batch(T, "ready"));
        int fetch = consumer.send(ApiKeys.FETCH, V12, longPoll(1, topic("t", partition(0, 0))));
        assertThat(TestRecords.values(find(awaitFetch(fetch), "t", 0).records())).containsExactly("ready");
        assertThat(broker.purgatory.waiting()).isZero();
    }

    @Test
    void errorsAnswerAtOnceInsteadOfWaiting() {
        int fetch = consumer.send(ApiKeys.FETCH, V12, longPoll(1, topic("t", partition(0, 5))));
        FetchResponseData.PartitionData p = find(awaitFetch(fetch), "t", 0);
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
    }

    @Test
    void aProduceBehindAParkedFetchOnTheSameConnectionIsAnsweredAfterIt() {
        int fetch = consumer.send(ApiKeys.FETCH, V12, longPoll(1, topic("t", partition(0, 0))));
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000);
        produce.topicData().add(new ProduceRequestData.TopicProduceData().setName("t"));
        produce.topicData().iterator().next().partitionData().add(new ProduceRequestData.PartitionProduceData()
                .setIndex(0).setRecords(TestRecords.batch(T, "same-connection")));
        int produced = consumer.send(ApiKeys.PRODUCE, (short) 12, produce);

        // The append wakes the fetch queued before it, so both answers leave, in request order.
        TestConnection.Response first = consumer.poll();
        TestConnection.Response second = consumer.poll();
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        assertThat(first.correlationId()).isEqualTo(fetch);
        assertThat(second.correlationId()).isEqualTo(produced);
        assertThat(TestRecords.values(find((FetchResponseData) first.body(), "t", 0).records())).containsExactly("same-connection");
        ProduceResponseData pr = (ProduceResponseData) second.body();
        assertThat(pr.responses().iterator().next().partitionResponses().get(0).baseOffset()).isZero();
    }

    @Test
    void aParkedIncrementalFetchAnswersOnlyThePartitionThatGotData() {
        int session = FetchRequests.fetch(consumer, V12, request(0, 0, topic("t", partition(0, 0), partition(1, 0)))).sessionId();
        int fetch = consumer.send(ApiKeys.FETCH, V12, request(session, 1).setMaxWaitMs(MAX_WAIT_MS).setMinBytes(1));
        assertThat(consumer.poll()).isNull();

        broker.produce("t", 1, TestRecords.batch(T, "p1"));

        FetchResponseData r = awaitFetch(fetch);
        assertThat(r.sessionId()).isEqualTo(session);
        assertThat(FetchRequests.partitionsIn(r)).containsExactly("t-1");
        assertThat(TestRecords.values(find(r, "t", 1).records())).containsExactly("p1");
    }

    @Test
    void fetchesByTopicIdAreWokenByAppendsToTheirTopic() {
        org.apache.kafka.common.Uuid id = broker.image().topic("t").id();
        int fetch = consumer.send(ApiKeys.FETCH, FetchRequests.LATEST, longPoll(1, topic(id, partition(1, 0))));
        assertThat(consumer.poll()).isNull();
        broker.produce("t", 1, TestRecords.batch(T, "by-id"));
        FetchResponseData r = awaitFetch(fetch);
        assertThat(TestRecords.values(find(r, id, 1).records())).containsExactly("by-id");
    }
}
