package io.tributary.broker.group;

/**
 * What a JoinGroup needs besides its body: who sent it and what the request version allows.
 *
 * @param requireKnownMemberId      v4+ without group.instance.id: a new member first gets MEMBER_ID_REQUIRED
 *                                  (KIP-394), so a client that times out never leaves a phantom member behind
 * @param supportSkippingAssignment v9+: a rejoining static leader may be told to skip the assignment
 */
public record JoinContext(String clientId, String clientHost, boolean requireKnownMemberId,
                          boolean supportSkippingAssignment) {
}
