package io.tributary.broker.api;

import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import io.tributary.storage.LogManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeLogDirs (v1+): every configured log directory with the size of each partition log in it, which is
 * what {@code kafka-log-dirs --describe} and {@code Admin.describeLogDirs} show. Offset lag is 0 and is_future
 * false, since this broker never moves a replica between directories; v4+ adds the file system's total and usable
 * bytes. A directory that failed answers KAFKA_STORAGE_ERROR with no partitions, as Kafka does.
 */
public final class DescribeLogDirsApi implements ApiHandler {
    private final LogManager logManager;

    public DescribeLogDirsApi(LogManager logManager) {
        this.logManager = logManager;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        DescribeLogDirsRequestData request = (DescribeLogDirsRequestData) message;
        Map<String, Set<Integer>> wanted = wanted(request);
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData().setErrorCode(Errors.NONE.code());
        for (LogManager.LogDirStatus status : logManager.describeLogDirs()) {
            DescribeLogDirsResponseData.DescribeLogDirsResult result = new DescribeLogDirsResponseData.DescribeLogDirsResult()
                    .setLogDir(status.dir().toString());
            if (status.offline()) {
                response.results().add(result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()));
                continue;
            }
            result.setErrorCode(Errors.NONE.code())
                    .setTotalBytes(status.totalBytes())
                    .setUsableBytes(status.usableBytes());
            Map<String, List<DescribeLogDirsResponseData.DescribeLogDirsPartition>> byTopic = new TreeMap<>();
            status.partitionSizes().forEach((tp, size) -> {
                if (isWanted(wanted, tp)) {
                    byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(
                            new DescribeLogDirsResponseData.DescribeLogDirsPartition()
                                    .setPartitionIndex(tp.partition())
                                    .setPartitionSize(size)
                                    .setOffsetLag(0)
                                    .setIsFutureKey(false));
                }
            });
            byTopic.forEach((topic, partitions) -> {
                partitions.sort((a, b) -> Integer.compare(a.partitionIndex(), b.partitionIndex()));
                result.topics().add(new DescribeLogDirsResponseData.DescribeLogDirsTopic().setName(topic)
                        .setPartitions(partitions));
            });
            response.results().add(result);
        }
        slot.complete(response);
    }

    /** Requested partitions by topic, or null for "all" (a null topic list). */
    private static Map<String, Set<Integer>> wanted(DescribeLogDirsRequestData request) {
        if (request.topics() == null) {
            return null;
        }
        Map<String, Set<Integer>> wanted = new HashMap<>();
        for (DescribeLogDirsRequestData.DescribableLogDirTopic topic : request.topics()) {
            wanted.computeIfAbsent(topic.topic(), t -> new HashSet<>()).addAll(topic.partitions());
        }
        return wanted;
    }

    private static boolean isWanted(Map<String, Set<Integer>> wanted, TopicPartition tp) {
        if (wanted == null) {
            return true;
        }
        Set<Integer> partitions = wanted.get(tp.topic());
        return partitions != null && partitions.contains(tp.partition());
    }
}
