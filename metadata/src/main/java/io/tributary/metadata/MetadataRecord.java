package io.tributary.metadata;

/**
 * One fact about the cluster, as written to the metadata log.
 *
 * <p>The metadata image is never mutated directly: every change is expressed as one or more of these records,
 * submitted atomically as a batch through Raft, and the image is rebuilt by replaying them
 * ({@link MetadataImage#apply}). Keeping the set of record types closed (sealed) lets the codec and the replay
 * logic be exhaustive, so adding a type is a compile error everywhere it must be handled.
 */
public sealed interface MetadataRecord
    permits ClusterIdRecord, TopicRecord, PartitionRecord, RemoveTopicRecord, ConfigRecord,
        RegisterBrokerRecord, ProducerIdsRecord {
}
