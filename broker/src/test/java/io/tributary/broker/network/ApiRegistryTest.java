package io.tributary.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class ApiRegistryTest {

    private static final ApiHandler NONE = (context, message, slot) -> {
    };

    /** The per-entry answers are a cache of kafka-clients' switches; they must agree for every key and version. */
    @Test
    void entriesAnswerAsKafkaClientsDoesForEveryApiAndVersion() {
        ApiRegistry registry = new ApiRegistry();
        List<ApiKeys> keys = new ArrayList<>();
        for (ApiMessageType type : ApiMessageType.values()) {
            if (ApiKeys.hasId(type.apiKey()) && hasRequest(type)) {
                keys.add(ApiKeys.forId(type.apiKey()));
            }
        }
        keys.forEach(key -> registry.register(key, NONE));
        int checked = 0;
        for (ApiKeys key : keys) {
            ApiRegistry.Entry entry = registry.entry(key);
            assertThat(entry.newRequest()).as("%s request", key)
                    .isExactlyInstanceOf(ApiMessageType.fromApiKey(key.id).newRequest().getClass())
                    .isNotSameAs(entry.newRequest());
            for (short v = key.oldestVersion(); v <= key.latestVersion(); v++) {
                assertThat(entry.requestHeaderVersion(v)).as("%s v%d request header", key, v)
                        .isEqualTo(key.requestHeaderVersion(v));
                assertThat(entry.responseHeaderVersion(v)).as("%s v%d response header", key, v)
                        .isEqualTo(key.responseHeaderVersion(v));
                checked++;
            }
        }
        assertThat(keys).contains(ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.JOIN_GROUP);
        assertThat(checked).isGreaterThan(keys.size());
    }

    /** Inter-broker APIs Kafka 4 retired (LeaderAndIsr ...) keep their key but no longer have a request. */
    private static boolean hasRequest(ApiMessageType type) {
        try {
            return type.newRequest() != null;
        } catch (UnsupportedVersionException e) {
            return false;
        }
    }

    /** Produce is advertised from v0 (librdkafka needs that) but served from v3; only served versions are looked up. */
    @Test
    void anEntryServingFewerVersionsThanItAdvertisesStillKnowsTheServedOnes() {
        ApiRegistry registry = new ApiRegistry().register(ApiKeys.PRODUCE, (short) 0, (short) 3,
                ApiKeys.PRODUCE.latestVersion(), NONE);
        ApiRegistry.Entry entry = registry.entry(ApiKeys.PRODUCE);
        for (short v = 3; v <= ApiKeys.PRODUCE.latestVersion(); v++) {
            assertThat(entry.requestHeaderVersion(v)).isEqualTo(ApiKeys.PRODUCE.requestHeaderVersion(v));
        }
        assertThat(entry.minAdvertised()).isZero();
        assertThat(entry.minServed()).isEqualTo((short) 3);
    }
}
