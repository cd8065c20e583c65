package io.tributary.broker.group;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/** The error shapes of JoinGroup and SyncGroup responses, shared by the state machine and the API handlers. */
public final class GroupResponses {
    private GroupResponses() {
    }

    /** A failed join: no generation, no leader, no members, as Kafka answers. */
    public static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData()
                .setErrorCode(error.code())
                .setMemberId(memberId == null ? "" : memberId)
                .setGenerationId(-1)
                .setProtocolType(null)
                .setProtocolName(null)
                .setLeader("");
    }

    public static SyncGroupResponseData syncError(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }
}
