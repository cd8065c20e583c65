package io.tributary.broker.api;

import io.tributary.broker.network.ApiHandler;
import io.tributary.metadata.QuorumController;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;

/**
 * The topic and config administration APIs. Each is a decision of the controller, which validates the request
 * against the metadata image, writes the resulting records through Raft and answers once they are
 * applied; the broker only relays. A controller failure becomes a top-level error per topic.
 */
public final class AdminApis {
    private AdminApis() {
    }

    public static ApiHandler createTopics(QuorumController controller) {
        return (context, message, slot) -> {
            CreateTopicsRequestData request = (CreateTopicsRequestData) message;
            controller.createTopics(request).whenComplete((response, error) -> {
                if (error != null) {
                    response = new CreateTopicsResponseData();
                    for (CreateTopicsRequestData.CreatableTopic t : request.topics()) {
                        response.topics().add(new CreateTopicsResponseData.CreatableTopicResult().setName(t.name())
                                .setErrorCode(Futures.error(error).code()).setErrorMessage(error.getMessage()));
                    }
                }
                slot.complete(response);
            });
        };
    }

    public static ApiHandler deleteTopics(QuorumController controller) {
        return (context, message, slot) -> {
            DeleteTopicsRequestData request = (DeleteTopicsRequestData) message;
            controller.deleteTopics(request, context.apiVersion()).whenComplete((response, error) -> {
                if (error != null) {
                    response = new DeleteTopicsResponseData();
                    for (String name : request.topicNames()) {
                        response.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName(name)
                                .setErrorCode(Futures.error(error).code()));
                    }
                    for (DeleteTopicsRequestData.DeleteTopicState t : request.topics()) {
                        response.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName(t.name())
                                .setTopicId(t.topicId()).setErrorCode(Futures.error(error).code()));
                    }
                }
                slot.complete(response);
            });
        };
    }

    public static ApiHandler createPartitions(QuorumController controller) {
        return (context, message, slot) -> {
            CreatePartitionsRequestData request = (CreatePartitionsRequestData) message;
            controller.createPartitions(request).whenComplete((response, error) -> {
                if (error != null) {
                    response = new CreatePartitionsResponseData();
                    for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics()) {
                        response.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                                .setName(t.name()).setErrorCode(Futures.error(error).code()).setErrorMessage(error.getMessage()));
                    }
                }
                slot.complete(response);
            });
        };
    }

    public static ApiHandler incrementalAlterConfigs(QuorumController controller) {
        return (context, message, slot) -> {
            IncrementalAlterConfigsRequestData request = (IncrementalAlterConfigsRequestData) message;
            controller.incrementalAlterConfigs(request).whenComplete((response, error) -> {
                if (error != null) {
                    response = new IncrementalAlterConfigsResponseData();
                    for (IncrementalAlterConfigsRequestData.AlterConfigsResource r : request.resources()) {
                        response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                                .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                                .setErrorCode(Futures.error(error).code()).setErrorMessage(error.getMessage()));
                    }
                }
                slot.complete(response);
            });
        };
    }

    /** The legacy AlterConfigs: each resource's dynamic configs become exactly the request's (replace-all). */
    public static ApiHandler alterConfigs(QuorumController controller) {
        return (context, message, slot) -> {
            AlterConfigsRequestData request = (AlterConfigsRequestData) message;
            controller.alterConfigs(request).whenComplete((response, error) -> {
                if (error != null) {
                    response = new AlterConfigsResponseData();
                    for (AlterConfigsRequestData.AlterConfigsResource r : request.resources()) {
                        response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                                .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                                .setErrorCode(Futures.error(error).code()).setErrorMessage(error.getMessage()));
                    }
                }
                slot.complete(response);
            });
        };
    }
}
