package io.tributary.broker.group;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;

/**
 * One member of a classic group as stored in a Member record. The broker never interprets protocol metadata or
 * assignments: it relays the bytes, which is why "consumer", "connect" and any other protocol type work.
 *
 * @param groupInstanceId    the static member's group.instance.id (KIP-345), or null for a dynamic member
 * @param protocols          the protocols the member supports, in its order of preference
 * @param assignment         what the leader assigned it in the last completed sync; empty before that
 */
public record MemberMetadata(String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
                             int sessionTimeoutMs, List<Protocol> protocols, Bytes assignment) {

    public static final Bytes NO_ASSIGNMENT = Bytes.wrap(new byte[0]);

    /** A protocol name with the member's metadata for it. */
    public record Protocol(String name, Bytes metadata) {
        public Protocol {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(metadata, "metadata");
        }
    }

    public MemberMetadata {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientHost, "clientHost");
        Objects.requireNonNull(assignment, "assignment");
        protocols = List.copyOf(protocols);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("a member supports at least one protocol");
        }
    }

    boolean supports(String protocolName) {
        for (Protocol p : protocols) {
            if (p.name.equals(protocolName)) {
                return true;
            }
        }
        return false;
    }

    /** The member's metadata for a protocol it supports. */
    Bytes metadataFor(String protocolName) {
        for (Protocol p : protocols) {
            if (p.name.equals(protocolName)) {
                return p.metadata;
            }
        }
        throw new IllegalStateException("member does not support protocol " + protocolName);
    }

    MemberMetadata withAssignment(Bytes newAssignment) {
        return new MemberMetadata(groupInstanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, protocols,
                newAssignment);
    }

    MemberMetadata rejoined(List<Protocol> newProtocols, int newRebalanceTimeoutMs, int newSessionTimeoutMs) {
        return new MemberMetadata(groupInstanceId, clientId, clientHost, newRebalanceTimeoutMs, newSessionTimeoutMs,
                newProtocols, assignment);
    }
}
