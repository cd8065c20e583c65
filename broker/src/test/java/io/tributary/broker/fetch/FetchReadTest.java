package io.tributary.broker.fetch;

import static io.tributary.broker.fetch.FetchRequests.V12;
import static io.tributary.broker.fetch.FetchRequests.error;
import static io.tributary.broker.fetch.FetchRequests.fetch;
import static io.tributary.broker.fetch.FetchRequests.find;
import static io.tributary.broker.fetch.FetchRequests.partition;
import static io.tributary.broker.fetch.FetchRequests.partitionsIn;
import static io.tributary.broker.fetch.FetchRequests.request;
import static io.tributary.broker.fetch.FetchRequests.topic;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.TestBroker;
import io.tributary.broker.TestConnection;
import io.tributary.broker.TestRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one fetch reads from each partition: offset range checks, leader-epoch fencing, and the partition and
 * response byte limits, including KIP-74's rule that the first non-empty partition returns at least one whole
 * batch so a consumer can never get stuck behind a batch larger than its limits.
 */
class FetchReadTest {
    private static final long T = TestBroker.START_MS;

    @TempDir
    Path dir;
    private TestBroker broker;
    private TestConnection client;

    @BeforeEach
    void setUp() {
        broker = new TestBroker(dir);
        broker.createTopic("t", 2);
        client = broker.connect();
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static FetchRequestData.FetchPartition limited(int p, long offset, int maxBytes) {
        return FetchRequests.partition(p, offset).setPartitionMaxBytes(maxBytes);
    }

    @Test
    void offsetsOutsideTheLogAreOutOfRangeAndCarryLogStartAndHighWatermark() {
        broker.produce("t", 0, TestRecords.batch(T, "a", "b"));
        broker.produce("t", 0, TestRecords.batch(T, "c"));
        broker.log("t", 0).maybeIncrementLogStartOffset(2);

        for (long offset : new long[] {0, 1, 4, 100}) {
            FetchResponseData.PartitionData p = find(fetch(client, V12, request(0, -1, topic("t", partition(0, offset)))), "t", 0);
            assertThat(error(p)).as("offset %d", offset).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
            assertThat(p.logStartOffset()).isEqualTo(2);
            assertThat(p.highWatermark()).isEqualTo(3);
            assertThat(p.records().sizeInBytes()).isZero();
        }
        FetchResponseData.PartitionData atStart = find(fetch(client, V12, request(0, -1, topic("t", partition(0, 2)))), "t", 0);
        assertThat(error(atStart)).isEqualTo(Errors.NONE);
        assertThat(TestRecords.values(atStart.records())).containsExactly("c");
        FetchResponseData.PartitionData atEnd = find(fetch(client, V12, request(0, -1, topic("t", partition(0, 3)))), "t", 0);
        assertThat(error(atEnd)).isEqualTo(Errors.NONE);
        assertThat(atEnd.records().sizeInBytes()).isZero();
    }

    @Test
    void recordsAboveTheHighWatermarkAreNotReturned() {
        broker.produce("t", 0, TestRecords.batch(T, "committed"));
        // Appended but not yet acknowledged by the (future) ISR: the high watermark stays at 1.
        broker.log("t", 0).appendAsLeader(TestRecords.batch(T, "pending").buffer(), 0);
        assertThat(broker.log("t", 0).logEndOffset()).isEqualTo(2);

        FetchResponseData.PartitionData p = find(fetch(client, V12, request(0, -1, topic("t", partition(0, 0)))), "t", 0);
        assertThat(TestRecords.values(p.records())).containsExactly("committed");
        assertThat(p.highWatermark()).isEqualTo(1);
        FetchResponseData.PartitionData atHw = find(fetch(client, V12, request(0, -1, topic("t", partition(0, 1)))), "t", 0);
        assertThat(error(atHw)).isEqualTo(Errors.NONE);
        assertThat(atHw.records().sizeInBytes()).isZero();
    }

    @Test
    void aFetchInsideABatchReturnsTheWholeBatch() {
        broker.produce("t", 0, TestRecords.batch(T, "a", "b", "c"));
        FetchResponseData.PartitionData p = find(fetch(client, V12, request(0, -1, topic("t", partition(0, 1)))), "t", 0);
        assertThat(TestRecords.batchBaseOffsets(p.records())).containsExactly(0L);
        assertThat(TestRecords.offsets(p.records())).containsExactly(0L, 1L, 2L);
    }

    @Test
    void currentLeaderEpochIsCheckedAgainstTheImage() {
        broker.createTopic("e", 1, 5);
        broker.produce("e", 0, TestRecords.batch(T, "a"));

        assertThat(epochError(4)).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(epochError(6)).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
        assertThat(epochError(5)).isEqualTo(Errors.NONE);
        assertThat(epochError(-1)).as("no epoch, no check").isEqualTo(Errors.NONE);

        broker.bumpLeaderEpoch("e", 0, 6);
        assertThat(epochError(5)).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(epochError(6)).isEqualTo(Errors.NONE);

        FetchResponseData.PartitionData fenced = find(fetch(client, V12,
                request(0, -1, topic("e", partition(0, 0).setCurrentLeaderEpoch(5)))), "e", 0);
        assertThat(fenced.records().sizeInBytes()).as("a fenced fetch returns no data").isZero();
    }

    private Errors epochError(int currentLeaderEpoch) {
        return error(find(fetch(client, V12, request(0, -1, topic("e", partition(0, 0).setCurrentLeaderEpoch(currentLeaderEpoch)))), "e", 0));
    }

    @Test
    void aFencedPartitionIsNewsInAnIncrementalSession() {
        broker.createTopic("e", 1, 5);
        int session = fetch(client, V12, request(0, 0, topic("e", partition(0, 0).setCurrentLeaderEpoch(5)))).sessionId();
        assertThat(partitionsIn(fetch(client, V12, request(session, 1)))).isEmpty();
        broker.bumpLeaderEpoch("e", 0, 6);
        FetchResponseData r = fetch(client, V12, request(session, 2));
        assertThat(error(find(r, "e", 0))).isEqualTo(Errors.FENCED_LEADER_EPOCH);
    }

    @Test
    void partitionMaxBytesCutsAtBatchBoundariesButTheFirstBatchAlwaysComesWhole() {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            MemoryRecords batch = TestRecords.sized(T + i, 100);
            sizes.add(batch.sizeInBytes());
            broker.produce("t", 0, batch);
        }
        broker.produce("t", 1, TestRecords.sized(T, 100));

        FetchResponseData tiny = fetch(client, V12, request(0, -1, topic("t", limited(0, 0, 1), limited(1, 0, 1))));
        assertThat(TestRecords.batchBaseOffsets(find(tiny, "t", 0).records())).as("one batch despite the 1-byte limit").containsExactly(0L);
        FetchResponseData.PartitionData second = find(tiny, "t", 1);
        assertThat(second.records().sizeInBytes()).as("only the first non-empty partition may exceed its limit").isZero();
        assertThat(second.highWatermark()).isEqualTo(1);

        int twoBatches = sizes.get(0) + sizes.get(1);
        for (int limit : new int[] {twoBatches, twoBatches + sizes.get(2) - 1}) {
            FetchResponseData r = fetch(client, V12, request(0, -1, topic("t", limited(0, 0, limit))));
            assertThat(TestRecords.batchBaseOffsets(find(r, "t", 0).records())).as("limit %d", limit).containsExactly(0L, 1L);
        }
        FetchResponseData fromOne = fetch(client, V12, request(0, -1, topic("t", limited(0, 1, sizes.get(1) + sizes.get(2)))));
        assertThat(TestRecords.batchBaseOffsets(find(fromOne, "t", 0).records())).containsExactly(1L, 2L);
    }

    @Test
    void anEmptyFirstPartitionLetsTheNextOneExceedItsLimit() {
        broker.produce("t", 1, TestRecords.sized(T, 500));
        FetchResponseData r = fetch(client, V12, request(0, -1, topic("t", limited(0, 0, 1), limited(1, 0, 1))));
        assertThat(find(r, "t", 0).records().sizeInBytes()).isZero();
        assertThat(TestRecords.batchBaseOffsets(find(r, "t", 1).records())).containsExactly(0L);
    }

    @Test
    void responseMaxBytesIsSharedAcrossPartitions() {
        MemoryRecords batch = TestRecords.sized(T, 100);
        int size = batch.sizeInBytes();
        for (int p = 0; p < 2; p++) {
            broker.produce("t", p, TestRecords.sized(T, 100));
            broker.produce("t", p, TestRecords.sized(T, 100));
        }
        // Room for three batches in the response: two from p0, then one from p1.
        FetchResponseData r = fetch(client, V12, request(0, -1, topic("t", partition(0, 0), partition(1, 0))).setMaxBytes(3 * size));
        assertThat(TestRecords.batchBaseOffsets(find(r, "t", 0).records())).containsExactly(0L, 1L);
        assertThat(TestRecords.batchBaseOffsets(find(r, "t", 1).records())).containsExactly(0L);

        // A 1-byte response still carries the first partition's first batch, and nothing else.
        FetchResponseData one = fetch(client, V12, request(0, -1, topic("t", partition(0, 0), partition(1, 0))).setMaxBytes(1));
        assertThat(TestRecords.batchBaseOffsets(find(one, "t", 0).records())).containsExactly(0L);
        FetchResponseData.PartitionData starved = find(one, "t", 1);
        assertThat(starved.records().sizeInBytes()).isZero();
        assertThat(starved.highWatermark()).isEqualTo(2);
    }

    @Test
    void aFullResponseReportsTheHighWatermarkOfPartitionsItHadNoRoomFor() {
        int session = fetch(client, V12, request(0, 0, topic("t", partition(0, 0), partition(1, 0)))).sessionId();
        broker.produce("t", 0, TestRecords.sized(T, 100));
        broker.produce("t", 0, TestRecords.sized(T, 100));
        broker.produce("t", 1, TestRecords.sized(T, 100));

        FetchResponseData r = fetch(client, V12, request(session, 1).setMaxBytes(1));
        assertThat(partitionsIn(r)).containsExactly("t-0", "t-1");
        assertThat(TestRecords.batchBaseOffsets(find(r, "t", 0).records())).containsExactly(0L);
        FetchResponseData.PartitionData p1 = find(r, "t", 1);
        assertThat(p1.records().sizeInBytes()).isZero();
        assertThat(p1.highWatermark()).as("a moved high watermark is news").isEqualTo(1);

        // p0 just returned data and has more, but it went to the back: a full response cannot starve p1.
        FetchResponseData next = fetch(client, V12, request(session, 2, topic("t", partition(0, 1))).setMaxBytes(1));
        assertThat(partitionsIn(next)).containsExactly("t-1");
        assertThat(TestRecords.batchBaseOffsets(find(next, "t", 1).records())).containsExactly(0L);
    }

    @Test
    void seededRandomLimitsNeverSplitBatchesNorSkipOffsets() {
        Random random = new Random(20241122L);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            MemoryRecords batch = TestRecords.sized(T + i, 1 + random.nextInt(300));
            sizes.add(batch.sizeInBytes());
            broker.produce("t", 0, batch);
        }
        for (int round = 0; round < 50; round++) {
            long offset = random.nextInt(30);
            int limit = 1 + random.nextInt(2_000);
            FetchResponseData.PartitionData p = find(fetch(client, V12, request(0, -1, topic("t", limited(0, offset, limit)))), "t", 0);
            List<Long> bases = TestRecords.batchBaseOffsets(p.records());
            // Batches of one record each: the reply must start at the fetch offset, be contiguous, and hold as
            // many whole batches as fit (at least one).
            int expected = 0;
            int total = 0;
            for (int i = (int) offset; i < sizes.size() && (expected == 0 || total + sizes.get(i) <= limit); i++) {
                total += sizes.get(i);
                expected++;
            }
            assertThat(bases).as("offset %d limit %d", offset, limit).hasSize(expected);
            for (int i = 0; i < bases.size(); i++) {
                assertThat(bases.get(i)).isEqualTo(offset + i);
            }
            assertThat(p.records().sizeInBytes()).isEqualTo(total);
            for (RecordBatch b : ((MemoryRecords) p.records()).batches()) {
                assertThat(b.isValid()).isTrue();
            }
        }
    }
}
