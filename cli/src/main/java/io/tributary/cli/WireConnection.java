package io.tributary.cli;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * One blocking Kafka-protocol connection that sends a request and reads its response, built only from
 * kafka-clients' generated message classes. It exists for {@link AotTraining}, which must reach a broker the way a
 * client does without loading the Java clients' own machinery (see there why).
 */
final class WireConnection implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 30_000;
    private static final int RESPONSE_BYTES_MAX = 64 << 20;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private int correlationId;

    WireConnection(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.connect(address, READ_TIMEOUT_MS);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    /** Sends {@code body} as {@code key} at {@code version}; returns the response body, positioned after its header. */
    ByteBufferAccessor call(ApiKeys key, short version, ApiMessage body) throws IOException {
        int id = ++correlationId;
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(id).setClientId("trib-aot-training");
        short headerVersion = key.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int requestBytes = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer frame = ByteBuffer.allocate(4 + requestBytes);
        frame.putInt(requestBytes);
        ByteBufferAccessor writer = new ByteBufferAccessor(frame);
        header.write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        out.write(frame.array(), 0, frame.position());
        out.flush();

        int responseBytes = in.readInt();
        if (responseBytes < 0 || responseBytes > RESPONSE_BYTES_MAX) {
            throw new IOException(key + " response declares an implausible size of " + responseBytes + " bytes");
        }
        byte[] response = new byte[responseBytes];
        in.readFully(response);
        ByteBufferAccessor reader = new ByteBufferAccessor(ByteBuffer.wrap(response));
        ResponseHeaderData responseHeader = new ResponseHeaderData(reader, key.responseHeaderVersion(version));
        if (responseHeader.correlationId() != id) {
            throw new IOException(key + " response carries correlation id " + responseHeader.correlationId()
                    + ", expected " + id);
        }
        return reader;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
