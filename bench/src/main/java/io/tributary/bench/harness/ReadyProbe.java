package io.tributary.bench.harness;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Asks a broker the question every Kafka client asks first: "which brokers are there?". A broker counts as ready
 * once it answers a Metadata request (at the newest version both sides speak) with at least one broker in it.
 *
 * <p>Why not just "port accepts a TCP connection": a server can bind its socket long before it can serve, and the
 * benchmark's start-to-ready number should mean "a client could start producing now". Doing the exchange by hand
 * over a blocking socket (instead of with an Admin client) keeps the probe free of client-side reconnect backoff,
 * which would otherwise add up to a second of noise to the measurement.
 */
final class ReadyProbe {

    private static final String CLIENT_ID = "tributary-bench-ready-probe";
    private static final int CONNECT_TIMEOUT_MS = 500;
    private static final int READ_TIMEOUT_MS = 2_000;
    private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private final InetSocketAddress address;
    private int correlationId;

    ReadyProbe(String host, int port) {
        this.address = new InetSocketAddress(host, port);
    }

    /**
     * One attempt. Never throws for the expected "not yet" cases (refused, reset, timeout, error response);
     * those all mean "not ready".
     */
    boolean isReady() {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            // Close with RST: hundreds of probes must not leave TIME_WAIT sockets behind on the broker's port.
            socket.setSoLinger(true, 0);
            socket.connect(address, CONNECT_TIMEOUT_MS);
            if (isSelfConnection(socket)) {
                // Polling a port nobody listens on yet can get that very port as the ephemeral source port; TCP
                // then connects the socket to itself, and holding it would keep the broker from binding.
                return false;
            }
            ApiVersionsResponse versions = (ApiVersionsResponse) exchange(socket,
                    new ApiVersionsRequest.Builder(), (short) 0);
            if (versions.data().errorCode() != 0) {
                return false;
            }
            ApiVersion metadata = versions.data().apiKeys().find(ApiKeys.METADATA.id);
            if (metadata == null) {
                return false;
            }
            short version = (short) Math.min(metadata.maxVersion(), ApiKeys.METADATA.latestVersion());
            if (version < metadata.minVersion() || version < ApiKeys.METADATA.oldestVersion()) {
                return false;
            }
            MetadataResponse response = (MetadataResponse) exchange(socket, MetadataRequest.Builder.allTopics(),
                    version);
            return !response.brokers().isEmpty();
        } catch (IOException | RuntimeException notYet) {
            return false;
        }
    }

    private static boolean isSelfConnection(Socket socket) {
        return socket.getLocalPort() == socket.getPort() && socket.getLocalAddress().equals(socket.getInetAddress());
    }

    /** Warms up the codec classes so the first real attempt does not pay for class loading. */
    static void preload() {
        new ApiVersionsRequest.Builder().build((short) 0)
                .serializeWithHeader(new RequestHeader(ApiKeys.API_VERSIONS, (short) 0, CLIENT_ID, 0));
        MetadataRequest.Builder.allTopics().build(ApiKeys.METADATA.latestVersion())
                .serializeWithHeader(new RequestHeader(ApiKeys.METADATA, ApiKeys.METADATA.latestVersion(),
                        CLIENT_ID, 0));
    }

    private AbstractResponse exchange(Socket socket, AbstractRequest.Builder<?> builder, short version)
            throws IOException {
        RequestHeader header = new RequestHeader(builder.apiKey(), version, CLIENT_ID, ++correlationId);
        ByteBuffer payload = builder.build(version).serializeWithHeader(header);
        byte[] frame = new byte[4 + payload.remaining()];
        ByteBuffer.wrap(frame).putInt(payload.remaining()).put(payload);
        OutputStream out = socket.getOutputStream();
        out.write(frame);
        out.flush();

        DataInputStream in = new DataInputStream(socket.getInputStream());
        int size = in.readInt();
        if (size < 4 || size > MAX_RESPONSE_BYTES) {
            throw new IOException("implausible response size " + size);
        }
        byte[] body = new byte[size];
        in.readFully(body);
        // parseResponse checks that the correlation id matches the request.
        return AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
    }
}
