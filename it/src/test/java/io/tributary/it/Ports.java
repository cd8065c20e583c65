package io.tributary.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free loopback ports for brokers that must come back on the same address after a restart (a client's
 * bootstrap list, and the Raft voter address stored in the metadata log, both name the port).
 */
final class Ports {
    private Ports() {
    }

    /** A port nothing listens on right now. Racy by nature, but only other tests on this machine compete. */
    static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
