package io.tributary.broker.network;

import io.netty.channel.Channel;
import org.apache.kafka.common.protocol.ApiKeys;

/** Who asked what: the parsed request header plus the connection it came on. */
public record RequestContext(ApiKeys apiKey, short apiVersion, int correlationId, String clientId,
                             Channel channel, long receivedNanos) {
}
