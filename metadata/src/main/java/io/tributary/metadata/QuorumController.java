package io.tributary.metadata;

import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
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
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns admin requests into metadata records.
 *
 * <p>Every request becomes an event on one controller thread, so decisions are serialized: an event reads the
 * latest applied image, decides (pure functions in {@link TopicCreation}, {@link TopicDeletion},
 * {@link ConfigChanges}), writes the resulting batch through the {@link RecordWriter} and waits until it is
 * applied before the next event runs. The next decision therefore always sees the previous one's effect, without
 * a second, speculative copy of the state. Metadata changes are rare, so one write in flight is plenty.
 *
 * <p>Writes are conditional on the image the decision read; if another writer got in first (only possible with
 * several voters and a leader change) the event is decided again on the new image. Write failures turn into
 * per-item errors (NOT_CONTROLLER, REQUEST_TIMED_OUT...) for the items that would have changed.
 */
public final class QuorumController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QuorumController.class);
  private static final int MAX_ATTEMPTS = 5;

  private final Supplier<MetadataImage> image;
  private final RecordWriter writer;
  private final ControllerSettings settings;
  private final TopicCreation topicCreation;
  private final ConfigChanges configChanges;
  private final ExecutorService thread;

  public QuorumController(Supplier<MetadataImage> image, RecordWriter writer, ControllerSettings settings,
                          Random random) {
    this.image = Objects.requireNonNull(image, "image");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.topicCreation = new TopicCreation(settings, random);
    this.configChanges = new ConfigChanges(settings);
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tributary-controller");
      t.setDaemon(true);
      return t;
    });
  }

  public ControllerSettings settings() {
    return settings;
  }

  /**
   * Kafka semantics: each topic is validated independently (name, existence and '.'/'_' collisions, partitions,
   * replication factor, manual assignments, configs); duplicate names get INVALID_REQUEST. Successful results
   * carry the topic id, partition count, replication factor and effective configs.
   */
  public CompletableFuture<CreateTopicsResponseData> createTopics(CreateTopicsRequestData request) {
    return submit("createTopics", img -> topicCreation.createTopics(img, request), (response, error) -> {
      response.topics().forEach(t -> {
        if (t.errorCode() == Errors.NONE.code()) {
          t.setErrorCode(error.error().code()).setErrorMessage(error.message()).setTopicId(Uuid.ZERO_UUID)
              .setNumPartitions(-1).setReplicationFactor((short) -1).configs().clear();
        }
      });
      return response;
    });
  }

  /** Deletes by name, or by id for {@code version >= 6}; unknown topics get UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID. */
  public CompletableFuture<DeleteTopicsResponseData> deleteTopics(DeleteTopicsRequestData request, short version) {
    return submit("deleteTopics", img -> TopicDeletion.deleteTopics(img, request, version), (response, error) -> {
      response.responses().forEach(t -> {
        if (t.errorCode() == Errors.NONE.code()) {
          t.setErrorCode(error.error().code()).setErrorMessage(error.message());
        }
      });
      return response;
    });
  }

  /** Increases partition counts; INVALID_PARTITIONS for a decrease or no change. */
  public CompletableFuture<CreatePartitionsResponseData> createPartitions(CreatePartitionsRequestData request) {
    return submit("createPartitions", img -> topicCreation.createPartitions(img, request), (response, error) -> {
      response.results().forEach(t -> {
        if (t.errorCode() == Errors.NONE.code()) {
          t.setErrorCode(error.error().code()).setErrorMessage(error.message());
        }
      });
      return response;
    });
  }

  public CompletableFuture<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(
      IncrementalAlterConfigsRequestData request) {
    return submit("incrementalAlterConfigs", img -> configChanges.incrementalAlterConfigs(img, request),
        (response, error) -> {
          response.responses().forEach(r -> {
            if (r.errorCode() == Errors.NONE.code()) {
              r.setErrorCode(error.error().code()).setErrorMessage(error.message());
            }
          });
          return response;
        });
  }

  /**
   * The legacy AlterConfigs (API key 33): each resource's configs are replaced by the request's, so overrides it
   * does not mention are removed. Validation is the same as for {@link #incrementalAlterConfigs}.
   */
  public CompletableFuture<AlterConfigsResponseData> alterConfigs(AlterConfigsRequestData request) {
    return submit("alterConfigs", img -> configChanges.legacyAlterConfigs(img, request), (response, error) -> {
      response.responses().forEach(r -> {
        if (r.errorCode() == Errors.NONE.code()) {
          r.setErrorCode(error.error().code()).setErrorMessage(error.message());
        }
      });
      return response;
    });
  }

  /** Registers a broker, replacing an older registration of the same node id; a no-op if nothing changed. */
  public CompletableFuture<Void> registerBroker(int nodeId, Uuid incarnationId, List<Endpoint> endpoints,
                                                String rack) {
    RegisterBrokerRecord record = new RegisterBrokerRecord(nodeId, incarnationId, endpoints, rack);
    if (endpoints.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("A broker must advertise an endpoint"));
    }
    return submit("registerBroker", img -> {
      BrokerRegistration current = img.brokers().get(nodeId);
      boolean same = current != null && current.equals(
          new BrokerRegistration(nodeId, incarnationId, record.endpoints(), rack));
      return new ControllerResult<Void>(same ? List.of() : List.of(record), null);
    }, QuorumController::rethrow);
  }

  /** Hands out the block [first, first + blockSize) of producer ids, durably, and returns first. */
  public CompletableFuture<Long> allocateProducerIds(int brokerId, int blockSize) {
    if (blockSize < 1) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("blockSize must be positive: " + blockSize));
    }
    return submit("allocateProducerIds", img -> {
      long first = img.nextProducerId();
      if (first > Long.MAX_VALUE - blockSize) {
        throw new IllegalStateException("The producer id space is exhausted");
      }
      return new ControllerResult<>(List.of(new ProducerIdsRecord(brokerId, first + blockSize)), first);
    }, QuorumController::rethrow);
  }

  /** Returns the cluster id, writing {@code proposedIfAbsent} first if the cluster has none yet. */
  public CompletableFuture<String> ensureClusterId(String proposedIfAbsent) {
    return submit("ensureClusterId", img -> img.clusterId() != null ? ControllerResult.of(img.clusterId())
        : new ControllerResult<>(List.of(new ClusterIdRecord(proposedIfAbsent)), proposedIfAbsent),
        QuorumController::rethrow);
  }

  private static <T> T rethrow(T response, ApiError error) {
    throw error.exception();
  }

  private <T> CompletableFuture<T> submit(String name, Function<MetadataImage, ControllerResult<T>> decide,
                                          BiFunction<T, ApiError, T> onWriteFailure) {
    CompletableFuture<T> future = new CompletableFuture<>();
    try {
      thread.execute(new Event(name, future, () -> future.complete(handle(name, decide, onWriteFailure))));
    } catch (RejectedExecutionException e) {
      future.completeExceptionally(new NotControllerException("The controller is shut down"));
    }
    return future;
  }

  /** One queued request; kept as a type so that events still queued at shutdown can be failed, not forgotten. */
  private static final class Event implements Runnable {
    interface Body {
      void run() throws Exception;
    }

    final String name;
    final CompletableFuture<?> future;
    final Body body;

    Event(String name, CompletableFuture<?> future, Body body) {
      this.name = name;
      this.future = future;
      this.body = body;
    }

    @Override
    public void run() {
      try {
        body.run();
      } catch (Throwable t) {
        if (t instanceof InterruptedException) {
          future.completeExceptionally(new NotControllerException("The controller was shut down during " + name));
        } else {
          future.completeExceptionally(t);
        }
      }
    }
  }

  private <T> T handle(String name, Function<MetadataImage, ControllerResult<T>> decide,
                       BiFunction<T, ApiError, T> onWriteFailure) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      MetadataImage current = image.get();
      ControllerResult<T> result = decide.apply(current);
      if (result.records().isEmpty()) {
        return result.response();
      }
      try {
        writer.write(current.lastAppliedIndex(), result.records())
            .get(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return result.response();
      } catch (TimeoutException e) {
        return onWriteFailure.apply(result.response(), new ApiError(Errors.REQUEST_TIMED_OUT,
            "The metadata change was not committed within " + settings.writeTimeout().toMillis() + " ms"));
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof StaleImageException && attempt < MAX_ATTEMPTS) {
          log.debug("{}: image moved on, deciding again ({})", name, cause.getMessage());
          continue;
        }
        log.warn("{}: writing {} metadata record(s) failed", name, result.records().size(), cause);
        return onWriteFailure.apply(result.response(), errorFor(cause));
      }
    }
  }

  private static ApiError errorFor(Throwable cause) {
    ApiError error = ApiError.fromThrowable(cause);
    if (error.error() == Errors.UNKNOWN_SERVER_ERROR) {
      return new ApiError(Errors.UNKNOWN_SERVER_ERROR, "Metadata write failed: " + cause);
    }
    return error;
  }

  /** Stops taking requests; queued ones fail with NOT_CONTROLLER. */
  @Override
  public void close() {
    for (Runnable r : thread.shutdownNow()) {
      if (r instanceof Event e) {
        e.future.completeExceptionally(new NotControllerException("The controller was shut down before " + e.name));
      }
    }
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
