package io.tributary.broker.api;

import io.tributary.broker.ProducerIdManager;
import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId for idempotent producers: the Java producer calls it even when the user never asked for
 * idempotence. A fresh id (epoch 0) per call; an idempotent producer that lost track of its sequences
 * (KIP-360) gets a fresh id too, which resets its sequences safely. Transactional ids need the
 * transaction coordinator, which does not exist yet, so they are refused.
 */
public final class InitProducerIdApi implements ApiHandler {
    private final ProducerIdManager ids;

    public InitProducerIdApi(ProducerIdManager ids) {
        this.ids = ids;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        InitProducerIdRequestData request = (InitProducerIdRequestData) message;
        if (request.transactionalId() != null) {
            slot.complete(new InitProducerIdResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                    .setProducerId(-1).setProducerEpoch((short) -1));
            return;
        }
        ids.nextId().whenComplete((id, error) -> {
            InitProducerIdResponseData response = new InitProducerIdResponseData();
            if (error != null) {
                response.setErrorCode(Futures.error(error).code()).setProducerId(-1).setProducerEpoch((short) -1);
            } else {
                response.setProducerId(id).setProducerEpoch((short) 0);
            }
            slot.complete(response);
        });
    }
}
