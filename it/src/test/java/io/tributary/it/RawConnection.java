package io.tributary.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A plain blocking socket speaking Kafka framing (4-byte big-endian size, then the message) for tests that must
 * send what no well-behaved client sends: garbage, broken frames, unsupported versions, corrupt batches, or a
 * batch replayed byte for byte. Well-formed requests are encoded with kafka-clients' own message classes.
 */
public final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId = 1;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawConnection open(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 10_000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(30_000);
        return new RawConnection(s);
    }

    /** Raw bytes exactly as given, no framing. */
    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void writeFrame(ByteBuffer payload) throws IOException {
        byte[] frame = new byte[4 + payload.remaining()];
        ByteBuffer.wrap(frame).putInt(payload.remaining()).put(payload.duplicate());
        write(frame);
    }

    /** Half-closes the socket: the broker sees end of stream after what was written. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** The next response frame (without its size prefix). */
    ByteBuffer readFrame() throws IOException {
        int size = in.readInt();
        if (size < 0 || size > 64 * 1024 * 1024) {
            throw new IOException("implausible response size " + size);
        }
        byte[] payload = new byte[size];
        in.readFully(payload);
        return ByteBuffer.wrap(payload);
    }

    RequestHeader header(AbstractRequest request) {
        return new RequestHeader(request.apiKey(), request.version(), "raw-it", correlationId++);
    }

    /** Sends a well-formed request and parses the response with the header it answers. */
    @SuppressWarnings("unchecked")
    public <R extends AbstractResponse> R roundTrip(AbstractRequest request) throws IOException {
        RequestHeader header = header(request);
        writeFrame(request.serializeWithHeader(header));
        return (R) AbstractResponse.parseResponse(readFrame(), header);
    }

    /**
     * True if the broker closes (or resets) the connection within the timeout, false if it is still open then.
     * Bytes read before the close are ignored; bytes on a connection that stays open are an error, because a
     * broker must not answer input it could not parse.
     */
    boolean closedByPeerWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int received = 0;
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
            try {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
                received++;
            } catch (SocketTimeoutException e) {
                // still open; keep waiting
            } catch (EOFException | SocketException e) {
                return true;
            }
        }
        if (received > 0) {
            throw new IOException("connection still open and the broker sent " + received + " unexpected bytes");
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
