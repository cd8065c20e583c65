/**
 * The group coordinator: consumer groups over the classic rebalance protocol and over the KIP-848 consumer
 * protocol (ConsumerGroupHeartbeat: server-side assignors, member and group epochs, incremental reconciliation;
 * see {@code ConsumerMembership}), and committed offsets. A group is either classic or a
 * consumer group.
 *
 * <p>Designed as Kafka's newer coordinator, "records + replay": the state of the groups of one
 * {@code __consumer_offsets} partition ({@link io.tributary.broker.group.CoordinatorState}) changes only by replaying
 * keyed records (group metadata, one record per member, one per committed offset; tombstones for deletions) that
 * were first appended to that partition. A request computes its records from the current state, the records are
 * appended as one batch, replayed, and only then is the request answered; loading a partition at startup is the
 * same replay, so a restart loses nothing and log compaction (latest value per key) changes nothing.
 *
 * <p>Layers: {@link io.tributary.broker.group.CoordinatorShard} (one partition, single-threaded under its lock, no
 * I/O except through {@link io.tributary.broker.group.CoordinatorLog}, time only through the injected clock and
 * {@link io.tributary.broker.group.Scheduler}) with its {@code Membership}, {@code ConsumerMembership},
 * {@code OffsetManager} and {@code GroupAdmin}; {@link io.tributary.broker.group.GroupCoordinator} (routing, topic creation, loading);
 * and the API handlers registered by {@link io.tributary.broker.group.GroupApis}.
 */
package io.tributary.broker.group;
