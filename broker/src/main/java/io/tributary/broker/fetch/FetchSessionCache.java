package io.tributary.broker.fetch;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.utils.Time;

/**
 * The broker's fetch sessions, bounded by {@code max.incremental.fetch.session.cache.slots}. When full,
 * the least recently used session idle for longer than the eviction time makes room; if none is, the new
 * client simply gets no session (id 0) and keeps doing full fetches, which is always correct.
 */
public final class FetchSessionCache {
    private static final long EVICTION_IDLE_MS = 120_000L;

    private final int slotsMax;
    private final Time time;
    private final LinkedHashMap<Integer, FetchSession> sessions = new LinkedHashMap<>(16, 0.75f, true);

    public FetchSessionCache(int slotsMax, Time time) {
        this.slotsMax = slotsMax;
        this.time = time;
    }

    synchronized FetchSession create(boolean usesTopicIds) {
        if (slotsMax <= 0) {
            return null;
        }
        long now = time.milliseconds();
        if (sessions.size() >= slotsMax) {
            Iterator<FetchSession> eldest = sessions.values().iterator();
            FetchSession candidate = eldest.next();
            if (now - candidate.lastUsedMs < EVICTION_IDLE_MS) {
                return null;
            }
            eldest.remove();
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        FetchSession session = new FetchSession(id, usesTopicIds, now);
        sessions.put(id, session);
        return session;
    }

    synchronized FetchSession get(int id) {
        FetchSession s = sessions.get(id);
        if (s != null) {
            s.lastUsedMs = time.milliseconds();
        }
        return s;
    }

    synchronized void remove(int id) {
        sessions.remove(id);
    }

    public synchronized int size() {
        return sessions.size();
    }
}
