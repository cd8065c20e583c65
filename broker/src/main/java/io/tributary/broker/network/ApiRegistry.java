package io.tributary.broker.network;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The APIs this broker implements and the version ranges it advertises in ApiVersions. Only what is
 * registered here is advertised, so clients never pick an API the broker would refuse.
 *
 * <p>Each entry also answers what the request path asks per request: an empty request message and the header
 * versions. kafka-clients answers these with switches over every API key ({@code ApiMessageType.newRequest},
 * {@code requestHeaderVersion}); C2 compiled those for the keys seen so far, and the first consumer group after a
 * producer-only stretch (JoinGroup, SyncGroup, OffsetCommit ...) sent them back to the interpreter, so they were
 * compiled again (~0.4 s of compiler CPU for {@code newRequest} alone) in the middle of the next produce.
 */
public final class ApiRegistry {
    /**
     * One implemented API: the advertised range, the lowest version actually served, its handler, and what the
     * request path needs per request. The header versions are indexed by version; only the served ones are filled in.
     */
    public record Entry(ApiKeys key, short minAdvertised, short minServed, short max, ApiHandler handler,
                        Supplier<ApiMessage> requestFactory, short[] requestHeaderVersions,
                        short[] responseHeaderVersions) {

        static Entry of(ApiKeys key, short minAdvertised, short minServed, short max, ApiHandler handler) {
            short[] requestHeaders = new short[max + 1];
            short[] responseHeaders = new short[max + 1];
            for (short v = minServed; v <= max; v++) {
                requestHeaders[v] = key.requestHeaderVersion(v);
                responseHeaders[v] = key.responseHeaderVersion(v);
            }
            return new Entry(key, minAdvertised, minServed, max, handler, requestFactory(key), requestHeaders,
                    responseHeaders);
        }

        /** A new, empty request message of this API. */
        public ApiMessage newRequest() {
            return requestFactory.get();
        }

        /** @param version a version this entry serves */
        public short requestHeaderVersion(short version) {
            return requestHeaderVersions[version];
        }

        /** @param version a version this entry serves */
        public short responseHeaderVersion(short version) {
            return responseHeaderVersions[version];
        }

        /** The two APIs of every produce and fetch get their own constructor; the rest go through kafka-clients. */
        private static Supplier<ApiMessage> requestFactory(ApiKeys key) {
            return switch (key) {
                case PRODUCE -> ProduceRequestData::new;
                case FETCH -> FetchRequestData::new;
                default -> {
                    ApiMessageType type = ApiMessageType.fromApiKey(key.id);
                    yield type::newRequest;
                }
            };
        }
    }

    private final Map<ApiKeys, Entry> entries = new EnumMap<>(ApiKeys.class);

    /** Registers an API for every version kafka-clients can encode. */
    public ApiRegistry register(ApiKeys key, ApiHandler handler) {
        return register(key, key.oldestVersion(), key.oldestVersion(), key.latestVersion(), handler);
    }

    public ApiRegistry register(ApiKeys key, short minAdvertised, short minServed, short max, ApiHandler handler) {
        entries.put(key, Entry.of(key, minAdvertised, minServed, max, handler));
        return this;
    }

    public Entry entry(ApiKeys key) {
        return entries.get(key);
    }

    public Iterable<Entry> entries() {
        return entries.values();
    }
}
