package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken input on raw sockets. Each case checks the broker's answer (an error code where the protocol
 * has one, otherwise a closed connection, never a reply to garbage) and then, after every case, that the broker is
 * still fine: a real producer and consumer on fresh connections still work.
 */
class BadInputTest {
    private static final int REQUEST_BYTES_MAX = 100 * 1024;
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static TestBroker broker;
    static InetSocketAddress address;
    static int healthChecks;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(dir, Map.of(
                "socket.request.max.bytes", Integer.toString(REQUEST_BYTES_MAX),
                "message.max.bytes", "10000"));
        address = broker.running().boundAddress();
        Clients.createTopic(broker.bootstrap(), "health", 1);
        Clients.createTopic(broker.bootstrap(), "target", 1);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @AfterEach
    void brokerStillServesRealClients() throws Exception {
        String value = "alive-" + healthChecks++;
        long offset;
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap())) {
            offset = p.send(new ProducerRecord<>("health", 0, "k", value)).get(30, TimeUnit.SECONDS).offset();
        }
        List<ConsumerRecord<String, String>> all = Clients.readAll(broker.bootstrap(), new TopicPartition("health", 0));
        assertThat(all).hasSize((int) offset + 1);
        assertThat(all.get((int) offset).value()).isEqualTo(value);
    }

    @Test
    void randomBytes() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 5; round++) {
            byte[] junk = new byte[1000];
            random.nextBytes(junk);
            try (RawConnection c = RawConnection.open(address)) {
                c.write(junk);
                assertThat(c.closedByPeerWithin(CLOSE_WITHIN)).as("junk with a random size prefix").isTrue();
            }
            // A plausible size, then junk where the request header should be.
            try (RawConnection c = RawConnection.open(address)) {
                c.writeFrame(ByteBuffer.wrap(junk));
                assertThat(c.closedByPeerWithin(CLOSE_WITHIN)).as("well-framed junk").isTrue();
            }
        }
    }

    @Test
    void truncatedFrames() throws Exception {
        // Frame says 100 bytes, 10 arrive, then the client half-closes: the broker must give up on it.
        try (RawConnection c = RawConnection.open(address)) {
            c.write(ByteBuffer.allocate(14).putInt(100).putShort((short) 18).array());
            c.shutdownOutput();
            assertThat(c.closedByPeerWithin(CLOSE_WITHIN)).isTrue();
        }
        // Only two bytes of the size prefix, then end of stream.
        try (RawConnection c = RawConnection.open(address)) {
            c.write(new byte[] {0, 0});
            c.shutdownOutput();
            assertThat(c.closedByPeerWithin(CLOSE_WITHIN)).isTrue();
        }
        // A client that stalls mid-frame must not hold up anyone else: the health check runs while it is open.
        try (RawConnection stalled = RawConnection.open(address)) {
            stalled.write(ByteBuffer.allocate(20).putInt(1000).array());
            brokerStillServesRealClients();
        }
    }

    @Test
    void negativeSize() throws Exception {
        for (int size : new int[] {-1, Integer.MIN_VALUE}) {
            try (RawConnection c = RawConnection.open(address)) {
                c.write(ByteBuffer.allocate(8).putInt(size).putInt(0).array());
                assertThat(c.closedByPeerWithin(CLOSE_WITHIN)).as("size %d", size).isTrue();
            }
        }
    }

    @Test
    void sizeAboveSocketRequestMaxBytes() throws Exception {
        for (int size : new int[] {REQUEST_BYTES_MAX + 1, Integer.MAX_VALUE}) {
            try (RawConnection c = RawConnection.open(address)) {
                // Only the prefix is sent: the broker must refuse on the declared size, not wait for the body.
                c.write(ByteBuffer.allocate(4).putInt(size).array());
                assertThat(c.closedByPeerWithin(CLOSE_WITHIN)).as("declared size %d", size).isTrue();
            }
        }
    }

    @Test
    void unknownApiKey() throws Exception {
        try (RawConnection c = RawConnection.open(address)) {
            c.writeFrame(header((short) 9999, (short) 0, 7, false));
            assertThat(c.closedByPeerWithin(CLOSE_WITHIN)).isTrue();
        }
    }

    @Test
    void tooNewApiVersionsGetsAV0ErrorWithTheSupportedRange() throws Exception {
        try (RawConnection c = RawConnection.open(address)) {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(toBytes(header(ApiKeys.API_VERSIONS.id, (short) 127, 42, true)));
            // A v3+-style body (client software name and version, compact strings, no tags).
            frame.write(new byte[] {5, 'r', 'a', 'w', '!', 4, '9', '.', '9', 0});
            c.writeFrame(ByteBuffer.wrap(frame.toByteArray()));

            ByteBuffer response = c.readFrame();
            // Response header v0 (just the correlation id) and an ApiVersions v0 body.
            assertThat(response.getInt()).as("correlation id").isEqualTo(42);
            assertThat(response.getShort()).as("error code").isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            int count = response.getInt();
            assertThat(count).isPositive();
            boolean listsApiVersions = false;
            for (int i = 0; i < count; i++) {
                short key = response.getShort();
                short min = response.getShort();
                short max = response.getShort();
                assertThat(min).isBetween((short) 0, max);
                if (key == ApiKeys.API_VERSIONS.id) {
                    listsApiVersions = true;
                    assertThat(max).as("highest ApiVersions version").isBetween((short) 3, (short) 126);
                }
            }
            assertThat(listsApiVersions).as("the ApiVersions entry is present").isTrue();
            assertThat(response.remaining()).as("nothing after a v0 body").isZero();
        }
    }

    @Test
    void produceV2ClosesTheConnection() throws Exception {
        long before = endOffset("target");
        MemoryRecords records = RawRequests.batch("old");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(toBytes(header(ApiKeys.PRODUCE.id, (short) 2, 9, false)));
        out.writeShort(-1);          // acks
        out.writeInt(30_000);        // timeout
        out.writeInt(1);             // one topic
        writeString(out, "target");
        out.writeInt(1);             // one partition
        out.writeInt(0);
        out.writeInt(records.sizeInBytes());
        byte[] batch = new byte[records.sizeInBytes()];
        records.buffer().duplicate().get(batch);
        out.write(batch);
        try (RawConnection c = RawConnection.open(address)) {
            c.writeFrame(ByteBuffer.wrap(bytes.toByteArray()));
            assertThat(c.closedByPeerWithin(CLOSE_WITHIN)).isTrue();
        }
        assertThat(endOffset("target")).as("nothing appended by a refused v2 produce").isEqualTo(before);
    }

    @Test
    void corruptBatchIsRejectedWithCorruptMessage() throws Exception {
        long before = endOffset("target");
        try (RawConnection c = RawConnection.open(address)) {
            // One flipped bit in the stored CRC field (bytes 17..20 of a v2 batch).
            MemoryRecords badCrc = RawRequests.batch("a", "b", "c");
            badCrc.buffer().put(18, (byte) (badCrc.buffer().get(18) ^ 0x01));
            PartitionProduceResponse r1 = produce(c, badCrc);
            assertThat(Errors.forCode(r1.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);

            // One flipped byte in the records the CRC covers.
            MemoryRecords badPayload = RawRequests.batch("a", "b", "c");
            int last = badPayload.sizeInBytes() - 1;
            badPayload.buffer().put(last, (byte) (badPayload.buffer().get(last) ^ 0x40));
            PartitionProduceResponse r2 = produce(c, badPayload);
            assertThat(Errors.forCode(r2.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);

            // The connection stays usable: a per-partition error is an answer, not a protocol violation.
            PartitionProduceResponse ok = produce(c, RawRequests.batch("good"));
            assertThat(Errors.forCode(ok.errorCode())).isEqualTo(Errors.NONE);
            assertThat(ok.baseOffset()).isEqualTo(before);
        }
        assertThat(Clients.readAll(broker.bootstrap(), new TopicPartition("target", 0)))
                .extracting(ConsumerRecord::value).last().isEqualTo("good");
        assertThat(endOffset("target")).as("only the good batch was appended").isEqualTo(before + 1);
    }

    @Test
    void recordAboveMessageMaxBytesIsRejected() throws Exception {
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap(),
                Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 90_000))) {
            assertThatThrownBy(() -> p.send(new ProducerRecord<>("target", 0, "k", "x".repeat(20_000)))
                    .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(RecordTooLargeException.class);
        }
    }

    @Test
    void manyBadConnectionsInARow() throws Exception {
        // Leaks (file descriptors, buffers, half-open channels) show up as a broker that stops accepting.
        Random random = new Random(1);
        List<RawConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                RawConnection c = RawConnection.open(address);
                byte[] junk = new byte[1 + random.nextInt(64)];
                random.nextBytes(junk);
                c.write(junk);
                open.add(c);
            }
        } finally {
            for (RawConnection c : open) {
                c.close();
            }
        }
    }

    private static PartitionProduceResponse produce(RawConnection c, MemoryRecords records) throws IOException {
        ProduceResponse response = c.roundTrip(RawRequests.produce("target", 0, records));
        return RawRequests.onlyPartition(response);
    }

    private static long endOffset(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (var consumer = Clients.consumer(broker.bootstrap())) {
            return consumer.endOffsets(List.of(tp), Clients.TIMEOUT).get(tp);
        }
    }

    /** A request header: v1 (nullable string client id) or v2 (v1 plus an empty tagged-field section). */
    private static ByteBuffer header(short apiKey, short version, int correlationId, boolean flexible) {
        byte[] clientId = "raw-it".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + 4 + 2 + clientId.length + (flexible ? 1 : 0));
        b.putShort(apiKey).putShort(version).putInt(correlationId).putShort((short) clientId.length).put(clientId);
        if (flexible) {
            b.put((byte) 0);
        }
        return b.flip();
    }

    private static byte[] toBytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }
}
