package io.tributary.broker.fetch;

import static io.tributary.broker.fetch.FetchRequests.LATEST;
import static io.tributary.broker.fetch.FetchRequests.V12;
import static io.tributary.broker.fetch.FetchRequests.V13;
import static io.tributary.broker.fetch.FetchRequests.error;
import static io.tributary.broker.fetch.FetchRequests.fetch;
import static io.tributary.broker.fetch.FetchRequests.find;
import static io.tributary.broker.fetch.FetchRequests.forget;
import static io.tributary.broker.fetch.FetchRequests.partition;
import static io.tributary.broker.fetch.FetchRequests.partitionsIn;
import static io.tributary.broker.fetch.FetchRequests.request;
import static io.tributary.broker.fetch.FetchRequests.topic;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.TestBroker;
import io.tributary.broker.TestConnection;
import io.tributary.broker.TestRecords;
import java.nio.file.Path;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-227 fetch sessions as a client sees them on the wire: a full fetch opens a session, incremental fetches
 * carry only changes and get back only partitions with news, and the session-level errors tell the client when
 * it must start over.
 */
class FetchSessionTest {
    private static final long T = TestBroker.START_MS;

    @TempDir
    Path dir;
    private TestBroker broker;
    private TestConnection client;
    private Uuid ordersId;

    @BeforeEach
    void setUp() {
        broker = new TestBroker(dir);
        ordersId = broker.createTopic("orders", 3);
        client = broker.connect();
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private FetchResponseData fullFetchOfOrders() {
        return fetch(client, V12, request(0, 0, topic("orders", partition(0, 0), partition(1, 0), partition(2, 0))));
    }

    @Test
    void fullFetchWithEpochZeroCreatesASessionAndAnswersEveryPartitionInRequestOrder() {
        broker.produce("orders", 1, TestRecords.batch(T, "a", "b"));

        FetchResponseData r = fetch(client, V12,
                request(0, 0, topic("orders", partition(2, 0), partition(1, 0), partition(0, 0))));

        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.sessionId()).isNotZero();
        assertThat(broker.sessions.size()).isEqualTo(1);
        assertThat(partitionsIn(r)).containsExactly("orders-2", "orders-1", "orders-0");
        FetchResponseData.PartitionData p1 = find(r, "orders", 1);
        assertThat(TestRecords.values(p1.records())).containsExactly("a", "b");
        assertThat(p1.highWatermark()).isEqualTo(2);
        assertThat(p1.lastStableOffset()).isEqualTo(2);
        assertThat(p1.logStartOffset()).isZero();
        FetchResponseData.PartitionData p0 = find(r, "orders", 0);
        assertThat(error(p0)).isEqualTo(Errors.NONE);
        assertThat(p0.highWatermark()).isZero();
        assertThat(p0.records().sizeInBytes()).isZero();
    }

    @Test
    void sessionlessFetchesGetNoSession() {
        FetchResponseData r = fetch(client, V12, request(0, -1, topic("orders", partition(0, 0))));
        assertThat(r.sessionId()).isZero();
        assertThat(partitionsIn(r)).containsExactly("orders-0");
        assertThat(broker.sessions.size()).isZero();
    }

    @Test
    void incrementalFetchesAnswerOnlyPartitionsWithNews() {
        broker.produce("orders", 0, TestRecords.batch(T, "a", "b"));
        int session = fullFetchOfOrders().sessionId();

        // The client consumed p0 up to 2 and says so; nothing new anywhere else.
        FetchResponseData quiet = fetch(client, V12, request(session, 1, topic("orders", partition(0, 2))));
        assertThat(Errors.forCode(quiet.errorCode())).isEqualTo(Errors.NONE);
        assertThat(quiet.sessionId()).isEqualTo(session);
        assertThat(partitionsIn(quiet)).as("idle partitions are left out").isEmpty();

        broker.produce("orders", 1, TestRecords.batch(T, "c"));
        FetchResponseData news = fetch(client, V12, request(session, 2));
        assertThat(partitionsIn(news)).containsExactly("orders-1");
        assertThat(TestRecords.values(find(news, "orders", 1).records())).containsExactly("c");
        assertThat(find(news, "orders", 1).highWatermark()).isEqualTo(1);

        // The fetch position of p0 is remembered from epoch 1: a new record arrives at offset 2 and only it comes.
        broker.produce("orders", 0, TestRecords.batch(T, "d"));
        FetchResponseData remembered = fetch(client, V12, request(session, 3, topic("orders", partition(1, 1))));
        assertThat(partitionsIn(remembered)).containsExactly("orders-0");
        assertThat(TestRecords.offsets(find(remembered, "orders", 0).records())).containsExactly(2L);

        // A log start offset that moved (DeleteRecords, retention) is news even without records.
        broker.log("orders", 0).maybeIncrementLogStartOffset(1);
        FetchResponseData logStart = fetch(client, V12, request(session, 4, topic("orders", partition(0, 3))));
        assertThat(partitionsIn(logStart)).containsExactly("orders-0");
        FetchResponseData.PartitionData p0 = find(logStart, "orders", 0);
        assertThat(p0.logStartOffset()).isEqualTo(1);
        assertThat(p0.highWatermark()).isEqualTo(3);
        assertThat(p0.records().sizeInBytes()).isZero();

        assertThat(partitionsIn(fetch(client, V12, request(session, 5)))).isEmpty();
    }

    @Test
    void aPartitionAddedIncrementallyIsAnsweredTheFirstTime() {
        int session = fetch(client, V12, request(0, 0, topic("orders", partition(0, 0)))).sessionId();
        FetchResponseData r = fetch(client, V12, request(session, 1, topic("orders", partition(2, 0))));
        assertThat(partitionsIn(r)).containsExactly("orders-2");
        assertThat(find(r, "orders", 2).highWatermark()).isZero();
        broker.produce("orders", 0, TestRecords.batch(T, "x"));
        broker.produce("orders", 2, TestRecords.batch(T, "y"));
        assertThat(partitionsIn(fetch(client, V12, request(session, 2)))).containsExactlyInAnyOrder("orders-0", "orders-2");
    }

    @Test
    void aWrongEpochIsRefusedWithoutAdvancingOrDroppingTheSession() {
        int session = fullFetchOfOrders().sessionId();

        FetchResponseData ahead = fetch(client, V12, request(session, 2));
        assertThat(Errors.forCode(ahead.errorCode())).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(ahead.responses()).isEmpty();

        assertThat(Errors.forCode(fetch(client, V12, request(session, 1)).errorCode())).isEqualTo(Errors.NONE);
        FetchResponseData replayed = fetch(client, V12, request(session, 1));
        assertThat(Errors.forCode(replayed.errorCode())).as("an epoch may be used once").isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(Errors.forCode(fetch(client, V12, request(session, 2)).errorCode())).isEqualTo(Errors.NONE);
        assertThat(broker.sessions.size()).isEqualTo(1);
    }

    @Test
    void anUnknownSessionIdIsNotFound() {
        int session = fullFetchOfOrders().sessionId();
        int unknown = session == Integer.MAX_VALUE ? 1 : session + 1;
        FetchResponseData r = fetch(client, V12, request(unknown, 1, topic("orders", partition(0, 0))));
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(r.sessionId()).isZero();
        assertThat(r.responses()).isEmpty();
    }

    @Test
    void forgottenPartitionsLeaveTheSession() {
        int session = fullFetchOfOrders().sessionId();
        FetchResponseData r = fetch(client, V12, forget(request(session, 1), "orders", 0, 2));
        assertThat(partitionsIn(r)).isEmpty();

        for (int p = 0; p < 3; p++) {
            broker.produce("orders", p, TestRecords.batch(T, "v" + p));
        }
        assertThat(partitionsIn(fetch(client, V12, request(session, 2)))).containsExactly("orders-1");
    }

    @Test
    void forgettingEveryPartitionClosesTheSessionAndAnswersSessionless() {
        int session = fullFetchOfOrders().sessionId();

        FetchResponseData r = fetch(client, V12, forget(request(session, 1), "orders", 0, 1, 2));

        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.sessionId()).isZero();
        assertThat(partitionsIn(r)).isEmpty();
        assertThat(broker.sessions.size()).isZero();
        assertThat(Errors.forCode(fetch(client, V12, request(session, 2)).errorCode()))
                .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }

    @Test
    void epochMinusOneClosesTheSessionAndAnswersSessionless() {
        broker.produce("orders", 0, TestRecords.batch(T, "a"));
        int session = fullFetchOfOrders().sessionId();

        FetchResponseData closing = fetch(client, V12, request(session, -1, topic("orders", partition(0, 0))));
        assertThat(Errors.forCode(closing.errorCode())).isEqualTo(Errors.NONE);
        assertThat(closing.sessionId()).isZero();
        assertThat(TestRecords.values(find(closing, "orders", 0).records())).containsExactly("a");
        assertThat(broker.sessions.size()).isZero();

        FetchResponseData after = fetch(client, V12, request(session, 1));
        assertThat(Errors.forCode(after.errorCode())).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }

    @Test
    void aFullFetchNamingItsOldSessionReplacesIt() {
        int first = fullFetchOfOrders().sessionId();
        FetchResponseData again = fetch(client, V12, request(first, 0, topic("orders", partition(1, 0))));
        assertThat(again.sessionId()).isNotZero();
        assertThat(broker.sessions.size()).isEqualTo(1);
        // The new session holds only what the new full fetch named.
        broker.produce("orders", 0, TestRecords.batch(T, "a"));
        broker.produce("orders", 1, TestRecords.batch(T, "b"));
        assertThat(partitionsIn(fetch(client, V12, request(again.sessionId(), 1)))).containsExactly("orders-1");
    }

    @Test
    void whenTheCacheIsFullNewClientsFetchWithoutASession() {
        broker.close();
        broker = new TestBroker(dir.resolve("small"), 1);
        broker.createTopic("orders", 1);
        broker.produce("orders", 0, TestRecords.batch(T, "a"));
        TestConnection first = broker.connect();
        TestConnection second = broker.connect();
        assertThat(fetch(first, V12, request(0, 0, topic("orders", partition(0, 0)))).sessionId()).isNotZero();

        FetchResponseData r = fetch(second, V12, request(0, 0, topic("orders", partition(0, 0))));
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.sessionId()).isZero();
        assertThat(TestRecords.values(find(r, "orders", 0).records())).containsExactly("a");
    }

    @Test
    void version13AndLaterNameTopicsByIdInRequestsResponsesAndSessions() {
        Uuid unknown = new Uuid(42, 42);
        for (short version : new short[] {V13, LATEST}) {
            String name = "ids-v" + version;
            Uuid id = broker.createTopic(name, 2);
            broker.produce(name, 0, TestRecords.batch(T, "a"));
            FetchResponseData full = fetch(client, version,
                    request(0, 0, topic(id, partition(0, 0), partition(1, 0)), topic(unknown, partition(0, 0))));
            assertThat(full.sessionId()).isNotZero();
            assertThat(full.responses()).extracting(FetchResponseData.FetchableTopicResponse::topicId)
                    .containsExactly(id, unknown);
            assertThat(full.responses()).extracting(FetchResponseData.FetchableTopicResponse::topic).containsOnly("");
            assertThat(TestRecords.values(find(full, id, 0).records())).containsExactly("a");
            assertThat(error(find(full, unknown, 0))).isEqualTo(Errors.UNKNOWN_TOPIC_ID);

            int session = full.sessionId();
            FetchResponseData forgot = fetch(client, version, forget(request(session, 1, topic(id, partition(0, 1))), id, 1));
            // p0 is idle at its new position; the unknown topic keeps failing, and errors are always news.
            assertThat(forgot.responses()).extracting(FetchResponseData.FetchableTopicResponse::topicId).containsExactly(unknown);

            broker.produce(name, 1, TestRecords.batch(T, "forgotten"));
            broker.produce(name, 0, TestRecords.batch(T, "b"));
            FetchResponseData next = fetch(client, version, forget(request(session, 2), unknown, 0));
            assertThat(partitionsIn(next)).containsExactly(id + "-0");
            assertThat(TestRecords.values(find(next, id, 0).records())).containsExactly("b");
        }
    }

    @Test
    void version12ReportsUnknownTopicsByName() {
        FetchResponseData r = fetch(client, V12, request(0, -1, topic("nope", partition(0, 0)), topic("orders", partition(7, 0))));
        assertThat(error(find(r, "nope", 0))).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(error(find(r, "orders", 7))).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void partitionsLedByAnotherNodeAreNotLeaderOrFollower() {
        broker.createTopicLedElsewhere("remote", 1);
        FetchResponseData r = fetch(client, V12, request(0, -1, topic("remote", partition(0, 0))));
        assertThat(error(find(r, "remote", 0))).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void aSessionStartedWithNamesCannotContinueWithIds() {
        int session = fullFetchOfOrders().sessionId();
        FetchResponseData r = fetch(client, V13, request(session, 1));
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
        // A client that stays with names keeps its session.
        assertThat(Errors.forCode(fetch(client, V12, request(session, 1)).errorCode())).isEqualTo(Errors.NONE);
    }

    @Test
    void aSessionByTopicIdDoesNotFollowTheNameToARecreatedTopic() {
        Uuid oldId = broker.createTopic("reborn", 1);
        broker.produce("reborn", 0, TestRecords.batch(T, "old"));
        FetchResponseData full = fetch(client, LATEST, request(0, 0, topic(oldId, partition(0, 1))));
        int session = full.sessionId();

        broker.deleteTopic("reborn");
        Uuid newId = broker.createTopic("reborn", 1);
        broker.produce("reborn", 0, TestRecords.batch(T, "new-0", "new-1"));
        assertThat(newId).isNotEqualTo(oldId);

        FetchResponseData r = fetch(client, LATEST, request(session, 1));
        FetchResponseData.PartitionData p = find(r, oldId, 0);
        assertThat(error(p)).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
        assertThat(p.records().sizeInBytes()).as("the new topic's records must not be served under the old id").isZero();
        // A full fetch by the old id agrees.
        FetchResponseData fresh = fetch(client, LATEST, request(0, -1, topic(oldId, partition(0, 1))));
        assertThat(error(find(fresh, oldId, 0))).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
    }

    @Test
    void idleSessionsAreEvictedOnlyWhenTheCacheIsFull() {
        broker.close();
        broker = new TestBroker(dir.resolve("small"), 1);
        broker.createTopic("orders", 1);
        TestConnection first = broker.connect();
        TestConnection second = broker.connect();
        int firstSession = fetch(first, V12, request(0, 0, topic("orders", partition(0, 0)))).sessionId();

        broker.time.advance(119_000);
        assertThat(fetch(first, V12, request(firstSession, 1)).errorCode()).isEqualTo(Errors.NONE.code());
        broker.time.advance(119_000);
        assertThat(fetch(second, V12, request(0, 0, topic("orders", partition(0, 0)))).sessionId())
                .as("the only session was used 119 s ago, too recently to evict").isZero();

        broker.time.advance(2_000);
        int secondSession = fetch(second, V12, request(0, 0, topic("orders", partition(0, 0)))).sessionId();
        assertThat(secondSession).isNotZero();
        assertThat(broker.sessions.size()).isEqualTo(1);
        assertThat(Errors.forCode(fetch(first, V12, request(firstSession, 2)).errorCode())).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }
}
