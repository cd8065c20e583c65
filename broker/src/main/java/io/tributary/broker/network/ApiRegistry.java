package io.tributary.broker.network;

import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The APIs this broker implements and the version ranges it advertises in ApiVersions. Only what is
 * registered here is advertised, so clients never pick an API the broker would refuse.
 */
public final class ApiRegistry {
    /** One implemented API: the advertised range, the lowest version actually served, and its handler. */
    public record Entry(ApiKeys key, short minAdvertised, short minServed, short max, ApiHandler handler) {
    }

    private final Map<ApiKeys, Entry> entries = new EnumMap<>(ApiKeys.class);

    /** Registers an API for every version kafka-clients can encode. */
    public ApiRegistry register(ApiKeys key, ApiHandler handler) {
        return register(key, key.oldestVersion(), key.oldestVersion(), key.latestVersion(), handler);
    }

    public ApiRegistry register(ApiKeys key, short minAdvertised, short minServed, short max, ApiHandler handler) {
        entries.put(key, new Entry(key, minAdvertised, minServed, max, handler));
        return this;
    }

    public Entry entry(ApiKeys key) {
        return entries.get(key);
    }

    public Iterable<Entry> entries() {
        return entries.values();
    }
}
