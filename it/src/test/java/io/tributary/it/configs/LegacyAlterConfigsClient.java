package io.tributary.it.configs;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Sends the legacy AlterConfigs request (API key 33). The 4.x Admin client no longer offers it (only
 * incrementalAlterConfigs), but older clients and tools still send it, so the tests speak it over a plain socket,
 * encoded and decoded by kafka-clients' own message classes.
 */
final class LegacyAlterConfigsClient implements AutoCloseable {
    private static final short VERSION = ApiKeys.ALTER_CONFIGS.latestVersion();

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId = 1;

    LegacyAlterConfigsClient(String bootstrap) throws IOException {
        int colon = bootstrap.lastIndexOf(':');
        socket = new Socket(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1)));
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Replaces the resource's configs with {@code configs} (a null value means "not set"); returns its result. */
    AlterConfigsResponseData.AlterConfigsResourceResponse alter(ConfigResource resource, Map<String, String> configs,
                                                                boolean validateOnly) throws IOException {
        List<AlterConfigsRequest.ConfigEntry> entries = new ArrayList<>();
        configs.forEach((k, v) -> entries.add(new AlterConfigsRequest.ConfigEntry(k, v)));
        AlterConfigsRequest request = new AlterConfigsRequest.Builder(
                Map.of(resource, new AlterConfigsRequest.Config(entries)), validateOnly).build(VERSION);
        RequestHeader header = new RequestHeader(ApiKeys.ALTER_CONFIGS, VERSION, "legacy-alter-configs",
                correlationId++);
        ByteBuffer payload = request.serializeWithHeader(header);
        byte[] frame = new byte[4 + payload.remaining()];
        ByteBuffer.wrap(frame).putInt(payload.remaining()).put(payload);
        out.write(frame);
        out.flush();
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        AlterConfigsResponse parsed = (AlterConfigsResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response),
                header);
        if (parsed.data().responses().size() != 1) {
            throw new AssertionError("expected one resource result in " + parsed.data());
        }
        return parsed.data().responses().get(0);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
