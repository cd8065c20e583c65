package io.tributary.broker.api;

import io.tributary.broker.PartitionManager;
import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import io.tributary.metadata.BrokerRegistration;
import io.tributary.metadata.Endpoint;
import io.tributary.metadata.MetadataImage;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** DescribeCluster (v0+): what Admin.describeCluster shows: cluster id, controller and brokers. */
public final class DescribeClusterApi implements ApiHandler {
    private final int nodeId;
    private final PartitionManager partitions;

    public DescribeClusterApi(int nodeId, PartitionManager partitions) {
        this.nodeId = nodeId;
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        DescribeClusterRequestData request = (DescribeClusterRequestData) message;
        MetadataImage image = partitions.image();
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setClusterId(image.clusterId()).setControllerId(nodeId);
        if (request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(MetadataApi.CLUSTER_OPERATIONS);
        }
        if (context.apiVersion() >= 1 && request.endpointType() != 1) {
            response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("Only broker endpoints (type 1) are served here");
        }
        for (BrokerRegistration broker : image.brokers().values()) {
            Endpoint ep = broker.endpoints().get(0);
            DescribeClusterResponseData.DescribeClusterBroker b = new DescribeClusterResponseData.DescribeClusterBroker()
                    .setBrokerId(broker.nodeId()).setHost(ep.host()).setPort(ep.port()).setRack(broker.rack());
            response.brokers().add(b);
        }
        slot.complete(response);
    }
}
