package io.tributary.broker.api;

import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.ApiRegistry;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * ApiVersions: advertises exactly the registered APIs. The answer is built once, since the registry
 * does not change after startup. Client software name and version (v3+) are validated as KIP-511 asks.
 */
public final class ApiVersionsApi implements ApiHandler {
    private final ApiRegistry registry;
    private volatile ApiVersionsResponseData.ApiVersionCollection advertised;

    public ApiVersionsApi(ApiRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        ApiVersionsRequestData request = (ApiVersionsRequestData) message;
        ApiVersionsResponseData response = new ApiVersionsResponseData().setApiKeys(copy(advertised()));
        if (context.apiVersion() >= 3 && !(valid(request.clientSoftwareName()) && valid(request.clientSoftwareVersion()))) {
            response.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        slot.complete(response);
    }

    private static boolean valid(String s) {
        return s != null && s.matches("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");
    }

    private ApiVersionsResponseData.ApiVersionCollection advertised() {
        ApiVersionsResponseData.ApiVersionCollection a = advertised;
        if (a == null) {
            a = new ApiVersionsResponseData.ApiVersionCollection();
            for (ApiRegistry.Entry e : registry.entries()) {
                a.add(new ApiVersionsResponseData.ApiVersion().setApiKey(e.key().id)
                        .setMinVersion(e.minAdvertised()).setMaxVersion(e.max()));
            }
            advertised = a;
        }
        return a;
    }

    private static ApiVersionsResponseData.ApiVersionCollection copy(ApiVersionsResponseData.ApiVersionCollection source) {
        ApiVersionsResponseData.ApiVersionCollection c = new ApiVersionsResponseData.ApiVersionCollection(source.size());
        for (ApiVersionsResponseData.ApiVersion v : source) {
            c.add(v.duplicate());
        }
        return c;
    }
}
