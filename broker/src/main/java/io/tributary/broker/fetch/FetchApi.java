package io.tributary.broker.fetch;

import io.tributary.broker.Partition;
import io.tributary.broker.PartitionManager;
import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.FileSliceRecords;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import io.tributary.metadata.TopicImage;
import io.tributary.storage.FetchSlice;
import io.tributary.storage.PartitionLog;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Fetch (v4+): reads whole batches from segment files and returns them as zero-copy file regions.
 *
 * <p>The story of one request: resolve its fetch session (sessionless, new, incremental or closing),
 * giving the ordered list of partitions to read; read each within the partition and response byte
 * limits; if fewer than min_bytes came back and nothing failed, park the fetch in the purgatory until
 * appends bring enough bytes or max_wait_ms passes, then read again and answer. Incremental responses
 * carry only partitions with records, errors, or a changed high watermark or log start offset.
 */
public final class FetchApi implements ApiHandler {
    private static final int FINAL_EPOCH = -1;
    private static final int INITIAL_EPOCH = 0;

    private final PartitionManager partitions;
    private final FetchSessionCache sessions;
    private final FetchPurgatory purgatory;

    public FetchApi(PartitionManager partitions, FetchSessionCache sessions, FetchPurgatory purgatory) {
        this.partitions = partitions;
        this.sessions = sessions;
        this.purgatory = purgatory;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        FetchRequestData request = (FetchRequestData) message;
        short version = context.apiVersion();
        boolean usesTopicIds = version >= 13;
        Plan plan = plan(request, usesTopicIds);
        if (plan.error != Errors.NONE) {
            slot.complete(new FetchResponseData().setErrorCode(plan.error.code()).setSessionId(0));
            return;
        }
        boolean readCommitted = version >= 4 && request.isolationLevel() == IsolationLevel.READ_COMMITTED.id();
        int responseBytesMax = version >= 3 ? request.maxBytes() : Integer.MAX_VALUE;
        Reads reads = read(plan.partitions, responseBytesMax, readCommitted);
        if (request.maxWaitMs() <= 0 || reads.bytes >= request.minBytes() || reads.hasError || plan.partitions.isEmpty()) {
            slot.complete(respond(plan, reads, usesTopicIds));
            return;
        }
        List<TopicPartition> watched = new ArrayList<>(plan.partitions.size());
        for (CachedPartition cp : plan.partitions) {
            if (cp.topic != null) {
                watched.add(new TopicPartition(cp.topic, cp.partition));
            }
        }
        DelayedFetch delayed = new DelayedFetch(purgatory, watched, Math.max(1, request.minBytes() - reads.bytes),
                context.channel().eventLoop(),
                () -> slot.complete(respond(plan, read(plan.partitions, responseBytesMax, readCommitted), usesTopicIds)));
        delayed.park(request.maxWaitMs());
        // An append between our read and park() notified nobody; look once more so it is not missed.
        if (endOffsetsMoved(plan.partitions, reads)) {
            delayed.onBytes(Integer.MAX_VALUE);
        }
    }

    /** The session's view of this request: which partitions to read, in order, and the session if any. */
    private static final class Plan {
        Errors error = Errors.NONE;
        FetchSession session;
        boolean incremental;
        final List<CachedPartition> partitions = new ArrayList<>();
    }

    private Plan plan(FetchRequestData request, boolean usesTopicIds) {
        Plan plan = new Plan();
        int sessionId = request.sessionId();
        int epoch = request.sessionEpoch();
        if (epoch == FINAL_EPOCH || epoch == INITIAL_EPOCH) {
            if (sessionId != 0) {
                sessions.remove(sessionId);
            }
            for (FetchRequestData.FetchTopic topic : request.topics()) {
                for (FetchRequestData.FetchPartition p : topic.partitions()) {
                    plan.partitions.add(cached(usesTopicIds, topic, p));
                }
            }
            if (epoch == INITIAL_EPOCH) {
                plan.session = sessions.create(usesTopicIds);
                if (plan.session != null) {
                    synchronized (plan.session) {
                        for (CachedPartition cp : plan.partitions) {
                            plan.session.partitions.put(FetchSession.Key.of(usesTopicIds, cp.topicId, cp.topic, cp.partition), cp);
                        }
                    }
                }
            }
            return plan;
        }
        FetchSession session = sessions.get(sessionId);
        if (session == null) {
            plan.error = Errors.FETCH_SESSION_ID_NOT_FOUND;
            return plan;
        }
        synchronized (session) {
            if (epoch != session.nextEpoch) {
                plan.error = Errors.INVALID_FETCH_SESSION_EPOCH;
                return plan;
            }
            if (session.usesTopicIds != usesTopicIds) {
                // KIP-516: a session keyed by names cannot continue by ids, nor the other way round.
                plan.error = Errors.FETCH_SESSION_TOPIC_ID_ERROR;
                return plan;
            }
            for (FetchRequestData.FetchTopic topic : request.topics()) {
                for (FetchRequestData.FetchPartition p : topic.partitions()) {
                    CachedPartition fresh = cached(usesTopicIds, topic, p);
                    FetchSession.Key key = FetchSession.Key.of(usesTopicIds, fresh.topicId, fresh.topic == null ? "" : fresh.topic, fresh.partition);
                    CachedPartition existing = session.partitions.get(key);
                    if (existing == null) {
                        session.partitions.put(key, fresh);
                    } else {
                        existing.fetchOffset = fresh.fetchOffset;
                        existing.maxBytes = fresh.maxBytes;
                        existing.currentLeaderEpoch = fresh.currentLeaderEpoch;
                    }
                }
            }
            for (FetchRequestData.ForgottenTopic forgotten : request.forgottenTopicsData()) {
                String name = usesTopicIds ? null : forgotten.topic();
                for (int p : forgotten.partitions()) {
                    session.partitions.remove(FetchSession.Key.of(usesTopicIds, forgotten.topicId(), name, p));
                }
            }
            if (session.partitions.isEmpty()) {
                // Nothing left to track: close the session as Kafka does, and answer sessionless (id 0), which
                // tells the client to start a full session with its next fetch.
                sessions.remove(session.id);
                return plan;
            }
            session.advanceEpoch();
            plan.partitions.addAll(session.partitions.values());
        }
        plan.session = session;
        plan.incremental = true;
        return plan;
    }

    private CachedPartition cached(boolean usesTopicIds, FetchRequestData.FetchTopic topic, FetchRequestData.FetchPartition p) {
        String name = topic.topic();
        Uuid id = topic.topicId();
        if (usesTopicIds) {
            TopicImage image = partitions.image().topicsById().get(id);
            name = image == null ? null : image.name();
        }
        CachedPartition cp = new CachedPartition(usesTopicIds ? id : Uuid.ZERO_UUID, name, p.partition());
        cp.fetchOffset = p.fetchOffset();
        cp.maxBytes = p.partitionMaxBytes();
        cp.currentLeaderEpoch = p.currentLeaderEpoch();
        return cp;
    }

    /** The outcome of reading one partition. */
    private record Read(CachedPartition partition, Errors error, FetchSlice slice, long highWatermark,
                        long lastStableOffset, long logStartOffset) {
    }

    private static final class Reads {
        final List<Read> reads;
        long bytes;
        boolean hasError;

        Reads(int n) {
            reads = new ArrayList<>(n);
        }
    }

    private Reads read(List<CachedPartition> list, int responseBytesMax, boolean readCommitted) {
        Reads reads = new Reads(list.size());
        int remaining = responseBytesMax;
        boolean minOneBatch = true;
        for (CachedPartition cp : list) {
            Read r = readOne(cp, remaining, minOneBatch, readCommitted);
            reads.reads.add(r);
            if (r.error != Errors.NONE) {
                reads.hasError = true;
            } else if (r.slice.sizeInBytes() > 0) {
                reads.bytes += r.slice.sizeInBytes();
                remaining = Math.max(0, remaining - r.slice.sizeInBytes());
                minOneBatch = false;
            }
        }
        return reads;
    }

    private Read readOne(CachedPartition cp, int remaining, boolean minOneBatch, boolean readCommitted) {
        // A session keyed by id resolved the name once; if the topic was deleted since, that name may now
        // belong to a new topic whose records must not be served under the old id.
        if (cp.topic == null || !Uuid.ZERO_UUID.equals(cp.topicId) && !partitions.image().topicsById().containsKey(cp.topicId)) {
            return new Read(cp, Errors.UNKNOWN_TOPIC_ID, FetchSlice.EMPTY, -1, -1, -1);
        }
        Partition partition;
        try {
            partition = partitions.partition(cp.topic, cp.partition);
        } catch (KafkaStorageException e) {
            return new Read(cp, Errors.KAFKA_STORAGE_ERROR, FetchSlice.EMPTY, -1, -1, -1);
        }
        if (partition == null) {
            Errors error = partitions.image().topicsByName().containsKey(cp.topic)
                    && partitions.image().topicsByName().get(cp.topic).partitions().containsKey(cp.partition)
                    ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION;
            return new Read(cp, error, FetchSlice.EMPTY, -1, -1, -1);
        }
        PartitionLog log = partition.log();
        long hw = log.highWatermark();
        long logStart = log.logStartOffset();
        if (log.isOffline()) {
            // Its log directory failed: as Kafka, no data and no offsets from it until a restart brings it back.
            return new Read(cp, Errors.KAFKA_STORAGE_ERROR, FetchSlice.EMPTY, -1, -1, -1);
        }
        if (cp.currentLeaderEpoch >= 0 && cp.currentLeaderEpoch != partition.leaderEpoch()) {
            Errors e = cp.currentLeaderEpoch > partition.leaderEpoch() ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH;
            return new Read(cp, e, FetchSlice.EMPTY, hw, hw, logStart);
        }
        try {
            int limit = Math.min(cp.maxBytes, remaining);
            FetchSlice slice = limit <= 0 && !minOneBatch ? FetchSlice.EMPTY : log.read(cp.fetchOffset, limit, minOneBatch, hw);
            return new Read(cp, Errors.NONE, slice, hw, hw, logStart);
        } catch (ApiException e) {
            return new Read(cp, Errors.forException(e), FetchSlice.EMPTY, hw, hw, logStart);
        }
    }

    private boolean endOffsetsMoved(List<CachedPartition> list, Reads before) {
        for (int i = 0; i < list.size(); i++) {
            Read r = before.reads.get(i);
            if (r.error == Errors.NONE) {
                Partition p = partitions.partition(r.partition.topic, r.partition.partition);
                if (p != null && p.log().highWatermark() != r.highWatermark) {
                    return true;
                }
            }
        }
        return false;
    }

    private FetchResponseData respond(Plan plan, Reads reads, boolean usesTopicIds) {
        FetchResponseData response = new FetchResponseData()
                .setErrorCode(Errors.NONE.code())
                .setSessionId(plan.session == null ? 0 : plan.session.id);
        FetchResponseData.FetchableTopicResponse topic = null;
        FetchSession session = plan.session;
        List<CachedPartition> rotate = null;
        for (Read r : reads.reads) {
            CachedPartition cp = r.partition;
            boolean hasRecords = r.slice.sizeInBytes() > 0;
            boolean include;
            if (session != null) {
                synchronized (session) {
                    include = cp.noteSent(r.highWatermark, r.lastStableOffset, r.logStartOffset, hasRecords, r.error != Errors.NONE)
                            || !plan.incremental;
                }
            } else {
                include = true;
            }
            if (plan.incremental && hasRecords) {
                if (rotate == null) {
                    rotate = new ArrayList<>();
                }
                rotate.add(cp);
            }
            if (!include) {
                continue;
            }
            if (topic == null || !sameTopic(topic, cp, usesTopicIds)) {
                topic = new FetchResponseData.FetchableTopicResponse();
                if (usesTopicIds) {
                    topic.setTopicId(cp.topicId);
                } else {
                    topic.setTopic(cp.topic);
                }
                response.responses().add(topic);
            }
            topic.partitions().add(new FetchResponseData.PartitionData()
                    .setPartitionIndex(cp.partition)
                    .setErrorCode(r.error.code())
                    .setHighWatermark(r.highWatermark)
                    .setLastStableOffset(r.lastStableOffset)
                    .setLogStartOffset(r.logStartOffset)
                    .setAbortedTransactions(null)
                    .setRecords(hasRecords ? new FileSliceRecords(r.slice) : MemoryRecords.EMPTY));
        }
        if (rotate != null) {
            // Partitions that just returned data go to the back, so a full response cannot starve the rest.
            synchronized (session) {
                for (CachedPartition cp : rotate) {
                    FetchSession.Key key = FetchSession.Key.of(session.usesTopicIds, cp.topicId, cp.topic == null ? "" : cp.topic, cp.partition);
                    if (session.partitions.remove(key) != null) {
                        session.partitions.put(key, cp);
                    }
                }
            }
        }
        return response;
    }

    private static boolean sameTopic(FetchResponseData.FetchableTopicResponse topic, CachedPartition cp, boolean usesTopicIds) {
        return usesTopicIds ? topic.topicId().equals(cp.topicId) : topic.topic().equals(cp.topic);
    }
}
