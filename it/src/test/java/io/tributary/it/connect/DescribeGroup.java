package io.tributary.it.connect;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * DescribeGroups sent straight to the (single) broker. The Admin client parses member assignments only for
 * consumer groups; a Connect group's assignment (which names the group's leader) is only visible in the raw
 * response, as the broker stored it from the leader's SyncGroup.
 */
final class DescribeGroup {
    private static final short VERSION = 5;

    private DescribeGroup() {
    }

    static DescribedGroup describe(String bootstrap, String groupId) throws IOException {
        int colon = bootstrap.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(bootstrap.substring(0, colon),
                    Integer.parseInt(bootstrap.substring(colon + 1))), 10_000);
            socket.setSoTimeout(30_000);
            DescribeGroupsRequest request = new DescribeGroupsRequest.Builder(
                    new DescribeGroupsRequestData().setGroups(List.of(groupId))).build(VERSION);
            RequestHeader header = new RequestHeader(request.apiKey(), VERSION, "connect-it", 1);
            ByteBuffer payload = request.serializeWithHeader(header);
            OutputStream out = socket.getOutputStream();
            byte[] frame = new byte[4 + payload.remaining()];
            ByteBuffer.wrap(frame).putInt(payload.remaining()).put(payload);
            out.write(frame);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            DescribeGroupsResponse parsed = (DescribeGroupsResponse) AbstractResponse.parseResponse(
                    ByteBuffer.wrap(response), header);
            DescribedGroup group = parsed.data().groups().get(0);
            if (group.errorCode() != Errors.NONE.code()) {
                throw new IOException("DescribeGroups " + groupId + ": " + Errors.forCode(group.errorCode()));
            }
            return group;
        }
    }
}
