package io.tributary.metadata;

import static io.tributary.metadata.ControllerTestSupport.alter;
import static io.tributary.metadata.ControllerTestSupport.createPartitions;
import static io.tributary.metadata.ControllerTestSupport.createTopics;
import static io.tributary.metadata.ControllerTestSupport.op;
import static io.tributary.metadata.ControllerTestSupport.resource;
import static io.tributary.metadata.ControllerTestSupport.topic;
import static io.tributary.metadata.ControllerTestSupport.withAssignments;
import static io.tributary.metadata.ControllerTestSupport.withConfigs;
import static org.apache.kafka.clients.admin.AlterConfigOp.OpType.APPEND;
import static org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE;
import static org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET;
import static org.apache.kafka.clients.admin.AlterConfigOp.OpType.SUBTRACT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The controller's decisions against an in-memory log: every validation rule, placement, and replay equality. */
class QuorumControllerTest {
  private final InMemoryMetadataLog log = new InMemoryMetadataLog();
  private QuorumController controller = controller(ControllerSettings.defaults());

  private QuorumController controller(ControllerSettings settings) {
    return new QuorumController(log, log, settings, new Random(42));
  }

  @AfterEach
  void checkReplayAndClose() {
    // Whatever a test did, replaying the accepted batches from scratch must rebuild the live image, and so must
    // replaying the image's own snapshot records.
    assertThat(log.replayFromScratch()).isEqualTo(log.get());
    assertThat(MetadataImage.EMPTY.apply(log.get().toRecords(), log.get().lastAppliedIndex())).isEqualTo(log.get());
    controller.close();
  }

  private void registerBrokers(int... ids) throws Exception {
    for (int id : ids) {
      controller.registerBroker(id, Uuid.randomUuid(), List.of(new Endpoint("PLAINTEXT", "host" + id, 9092,
          SecurityProtocol.PLAINTEXT)), "rack" + id).get();
    }
  }

  private CreatableTopicResult createOne(org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic t)
      throws Exception {
    CreateTopicsResponseData response = controller.createTopics(createTopics(t)).get();
    assertThat(response.topics()).hasSize(1);
    return response.topics().iterator().next();
  }

  private static void assertError(CreatableTopicResult r, Errors error, String messagePart) {
    assertThat(Errors.forCode(r.errorCode())).as(r.toString()).isEqualTo(error);
    assertThat(r.errorMessage()).contains(messagePart);
    assertThat(r.topicId()).isEqualTo(Uuid.ZERO_UUID);
    assertThat(r.numPartitions()).isEqualTo(-1);
  }

  @Nested
  class CreateTopics {
    @Test
    void createsWithDefaultsAndReportsEffectiveConfigs() throws Exception {
      registerBrokers(1);
      CreatableTopicResult r = createOne(withConfigs(topic("orders", -1, -1), Map.of("retention.ms", "1000")));
      assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(r.errorMessage()).isNull();
      assertThat(r.numPartitions()).isEqualTo(1);
      assertThat(r.replicationFactor()).isEqualTo((short) 1);
      TopicImage t = log.get().topic("orders");
      assertThat(r.topicId()).isEqualTo(t.id()).isNotEqualTo(Uuid.ZERO_UUID);
      assertThat(t.configs()).isEqualTo(Map.of("retention.ms", "1000"));
      Map<String, CreatableTopicConfigs> configs = r.configs().stream()
          .collect(Collectors.toMap(CreatableTopicConfigs::name, c -> c));
      assertThat(configs.keySet()).isEqualTo(TopicConfigKeys.ALL);
      assertThat(configs.get("retention.ms").value()).isEqualTo("1000");
      assertThat(configs.get("retention.ms").configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
      assertThat(configs.get("cleanup.policy").value()).isEqualTo("delete");
      assertThat(configs.get("cleanup.policy").configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
      assertThat(log.batches()).hasSize(2); // registration + one atomic topic batch
    }

    @Test
    void usesConfiguredDefaults() throws Exception {
      controller.close();
      controller = controller(ControllerSettings.defaults().withDefaults(4, (short) 2));
      registerBrokers(1, 2);
      CreatableTopicResult r = createOne(topic("t", -1, -1));
      assertThat(r.numPartitions()).isEqualTo(4);
      assertThat(r.replicationFactor()).isEqualTo((short) 2);
    }

    @Test
    void rejectsInvalidNames() throws Exception {
      registerBrokers(1);
      assertError(createOne(topic("", 1, 1)), Errors.INVALID_TOPIC_EXCEPTION, "empty");
      assertError(createOne(topic(".", 1, 1)), Errors.INVALID_TOPIC_EXCEPTION, "'.'");
      assertError(createOne(topic("..", 1, 1)), Errors.INVALID_TOPIC_EXCEPTION, "'..'");
      assertError(createOne(topic("a".repeat(250), 1, 1)), Errors.INVALID_TOPIC_EXCEPTION, "249");
      assertError(createOne(topic("no spaces", 1, 1)), Errors.INVALID_TOPIC_EXCEPTION, "ASCII alphanumerics");
      assertError(createOne(topic("ünïcode", 1, 1)), Errors.INVALID_TOPIC_EXCEPTION, "ASCII alphanumerics");
      assertThat(createOne(topic("a".repeat(249), 1, 1)).errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(createOne(topic("Ok.name_with-all-9", 1, 1)).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void rejectsExistingAndCollidingNames() throws Exception {
      registerBrokers(1);
      createOne(topic("foo.bar", 1, 1));
      assertError(createOne(topic("foo.bar", 1, 1)), Errors.TOPIC_ALREADY_EXISTS, "'foo.bar' already exists");
      assertError(createOne(topic("foo_bar", 1, 1)), Errors.INVALID_TOPIC_EXCEPTION,
          "collides with existing topic: foo.bar");
      // Two new topics that collide with each other: the first wins.
      CreateTopicsResponseData r = controller.createTopics(createTopics(topic("a.b", 1, 1), topic("a_b", 1, 1))).get();
      assertThat(r.topics().find("a.b").errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(r.topics().find("a_b").errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
      assertThat(log.get().topicsByName().keySet()).containsExactlyInAnyOrder("foo.bar", "a.b");
    }

    @Test
    void rejectsBadPartitionCounts() throws Exception {
      registerBrokers(1);
      assertError(createOne(topic("t", 0, 1)), Errors.INVALID_PARTITIONS, "non-positive");
      assertError(createOne(topic("t", -2, 1)), Errors.INVALID_PARTITIONS, "non-positive");
      assertError(createOne(topic("t", TopicCreation.MAX_PARTITIONS_PER_REQUEST + 1, 1)), Errors.INVALID_PARTITIONS,
          "limit");
      assertThat(log.get().topicsByName()).isEmpty();
    }

    @Test
    void rejectsBadReplicationFactors() throws Exception {
      assertError(createOne(topic("t", 1, 1)), Errors.INVALID_REPLICATION_FACTOR, "only 0 broker(s)");
      registerBrokers(1);
      assertError(createOne(topic("t", 1, 0)), Errors.INVALID_REPLICATION_FACTOR, "larger than 0");
      assertError(createOne(topic("t", 1, -5)), Errors.INVALID_REPLICATION_FACTOR, "larger than 0");
      CreatableTopicResult r = createOne(topic("t", 1, 3));
      assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
      assertThat(r.errorMessage()).isEqualTo("Unable to replicate the partition 3 time(s): The target replication "
          + "factor of 3 cannot be reached because only 1 broker(s) are registered.");
    }

    @Test
    void acceptsValidManualAssignments() throws Exception {
      registerBrokers(1, 2, 3);
      CreatableTopicResult r = createOne(withAssignments(topic("t", -1, -1), List.of(List.of(3, 1), List.of(2, 3))));
      assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(r.numPartitions()).isEqualTo(2);
      assertThat(r.replicationFactor()).isEqualTo((short) 2);
      PartitionRegistration p0 = log.get().topic("t").partition(0);
      assertThat(p0.replicas()).containsExactly(3, 1);
      assertThat(p0.isr()).containsExactly(3, 1);
      assertThat(p0.leader()).isEqualTo(3);
      assertThat(log.get().topic("t").partition(1).replicas()).containsExactly(2, 3);
    }

    @Test
    void rejectsInvalidManualAssignments() throws Exception {
      registerBrokers(1, 2);
      assertError(createOne(withAssignments(topic("t", 1, -1), List.of(List.of(1)))), Errors.INVALID_REQUEST,
          "numPartitions or replicationFactor was not set to -1");
      assertError(createOne(withAssignments(topic("t", -1, -1), List.of(List.of(1, 1)))),
          Errors.INVALID_REPLICA_ASSIGNMENT, "more than once");
      assertError(createOne(withAssignments(topic("t", -1, -1), List.of(List.of(1, 7)))),
          Errors.INVALID_REPLICA_ASSIGNMENT, "broker 7, but no such broker is registered");
      assertError(createOne(withAssignments(topic("t", -1, -1), List.of(List.of()))),
          Errors.INVALID_REPLICA_ASSIGNMENT, "empty replica list");
      assertError(createOne(withAssignments(topic("t", -1, -1), List.of(List.of(1, 2), List.of(1)))),
          Errors.INVALID_REPLICA_ASSIGNMENT, "not consistent");
      var gap = withAssignments(topic("t", -1, -1), List.of(List.of(1)));
      gap.assignments().iterator().next().setPartitionIndex(1);
      assertError(createOne(gap), Errors.INVALID_REPLICA_ASSIGNMENT, "consecutive");
      assertThat(log.get().topicsByName()).isEmpty();
    }

    @Test
    void validatesConfigs() throws Exception {
      registerBrokers(1);
      assertError(createOne(withConfigs(topic("t", 1, 1), Map.of("no.such.config", "1"))), Errors.INVALID_CONFIG,
          "Unknown topic config name: no.such.config");
      assertError(createOne(withConfigs(topic("t", 1, 1), Map.of("retention.ms", "soon"))), Errors.INVALID_CONFIG,
          "Invalid value soon for configuration retention.ms: Not a number of type LONG");
      assertError(createOne(withConfigs(topic("t", 1, 1), Map.of("cleanup.policy", "shred"))), Errors.INVALID_CONFIG,
          "cleanup.policy");
      assertError(createOne(withConfigs(topic("t", 1, 1), Map.of("min.insync.replicas", "0"))), Errors.INVALID_CONFIG,
          "at least 1");
      var nullValue = withConfigs(topic("t", 1, 1), Map.of("retention.ms", "1"));
      nullValue.configs().iterator().next().setValue(null);
      assertError(createOne(nullValue), Errors.INVALID_CONFIG, "retention.ms");
      assertThat(log.get().topicsByName()).isEmpty();
    }

    @Test
    void usesTheSuppliedKeySetAndValidator() throws Exception {
      controller.close();
      controller = controller(ControllerSettings.defaults().withTopicConfigs(java.util.Set.of("x.custom"),
          (k, v) -> v.equals("bad") ? "bad is bad" : null, Map.of("x.custom", "d")));
      registerBrokers(1);
      assertError(createOne(withConfigs(topic("t", 1, 1), Map.of("retention.ms", "1"))), Errors.INVALID_CONFIG,
          "Unknown topic config name: retention.ms");
      assertError(createOne(withConfigs(topic("t", 1, 1), Map.of("x.custom", "bad"))), Errors.INVALID_CONFIG,
          "x.custom: bad is bad");
      CreatableTopicResult ok = createOne(withConfigs(topic("t", 1, 1), Map.of("x.custom", "good")));
      assertThat(ok.configs()).extracting(CreatableTopicConfigs::name).containsExactly("x.custom");
    }

    @Test
    void validateOnlyWritesNothing() throws Exception {
      registerBrokers(1);
      int batches = log.batches().size();
      CreateTopicsResponseData r = controller.createTopics(createTopics(topic("t", 3, 1)).setValidateOnly(true)).get();
      CreatableTopicResult result = r.topics().find("t");
      assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(result.numPartitions()).isEqualTo(3);
      assertThat(log.batches()).hasSize(batches);
      assertThat(log.get().topic("t")).isNull();
      CreateTopicsResponseData bad = controller.createTopics(createTopics(topic("t", 0, 1)).setValidateOnly(true))
          .get();
      assertThat(bad.topics().find("t").errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
    }

    @Test
    void duplicatesGetInvalidRequestWhileOthersProceed() throws Exception {
      registerBrokers(1);
      CreateTopicsResponseData r = controller.createTopics(createTopics(topic("dup", 1, 1), topic("ok", 1, 1),
          topic("dup", 2, 1), topic("bad", 0, 1))).get();
      assertThat(r.topics()).hasSize(3);
      assertThat(r.topics().find("dup").errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
      assertThat(r.topics().find("dup").errorMessage()).isEqualTo("Duplicate topic name.");
      assertThat(r.topics().find("ok").errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(r.topics().find("bad").errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
      assertThat(log.get().topicsByName().keySet()).containsExactly("ok");
    }
  }

  @Nested
  class Placement {
    @Test
    void singleBrokerHostsEverything() throws Exception {
      registerBrokers(5);
      createOne(topic("t", 4, 1));
      TopicImage t = log.get().topic("t");
      assertThat(t.partitions()).hasSize(4);
      t.partitions().values().forEach(p -> {
        assertThat(p.replicas()).containsExactly(5);
        assertThat(p.isr()).containsExactly(5);
        assertThat(p.leader()).isEqualTo(5);
        assertThat(p.leaderEpoch()).isZero();
        assertThat(p.partitionEpoch()).isZero();
      });
    }

    @Test
    void roundRobinOverThreeBrokersBalancesLeaders() throws Exception {
      registerBrokers(30, 10, 20);
      createOne(topic("t", 6, 3));
      TopicImage t = log.get().topic("t");
      Map<Integer, Integer> leaders = new HashMap<>();
      List<Integer> sorted = List.of(10, 20, 30);
      int offset = sorted.indexOf(t.partition(0).leader());
      for (int p = 0; p < 6; p++) {
        PartitionRegistration reg = t.partition(p);
        int[] expected = {sorted.get((offset + p) % 3), sorted.get((offset + p + 1) % 3),
            sorted.get((offset + p + 2) % 3)};
        assertThat(reg.replicas()).containsExactly(expected);
        assertThat(reg.isr()).containsExactly(expected);
        assertThat(reg.leader()).isEqualTo(expected[0]);
        leaders.merge(reg.leader(), 1, Integer::sum);
      }
      assertThat(leaders).isEqualTo(Map.of(10, 2, 20, 2, 30, 2));
    }

    @Test
    void startingOffsetVariesPerTopic() throws Exception {
      registerBrokers(1, 2, 3);
      List<Integer> firstLeaders = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        createOne(topic("t" + i, 1, 2));
        PartitionRegistration p = log.get().topic("t" + i).partition(0);
        assertThat(Arrays.stream(p.replicas()).distinct().count()).isEqualTo(2);
        firstLeaders.add(p.leader());
      }
      assertThat(firstLeaders).contains(1, 2, 3);
    }
  }

  @Nested
  class DeleteTopics {
    @Test
    void deletesByNameAndForgetsConfigs() throws Exception {
      registerBrokers(1);
      createOne(withConfigs(topic("t", 2, 1), Map.of("retention.ms", "5")));
      Uuid id = log.get().topic("t").id();
      var r = controller.deleteTopics(new DeleteTopicsRequestData().setTopicNames(List.of("t", "missing")),
          (short) 5).get();
      DeletableTopicResult ok = r.responses().find("t");
      assertThat(ok.errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(ok.topicId()).isEqualTo(id);
      assertThat(r.responses().find("missing").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
      assertThat(log.get().topic("t")).isNull();
      assertThat(log.get().topic(id)).isNull();
      createOne(topic("t", 1, 1));
      assertThat(log.get().topic("t").configs()).isEmpty();
      assertThat(log.get().topic("t").id()).isNotEqualTo(id);
    }

    @Test
    void deletesByIdFromVersion6() throws Exception {
      registerBrokers(1);
      createOne(topic("t", 1, 1));
      Uuid id = log.get().topic("t").id();
      Uuid unknown = Uuid.randomUuid();
      var r = controller.deleteTopics(new DeleteTopicsRequestData().setTopics(List.of(
          new DeleteTopicState().setTopicId(id), new DeleteTopicState().setTopicId(unknown))), (short) 6).get();
      List<DeletableTopicResult> results = new ArrayList<>(r.responses());
      assertThat(results.get(0).errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(results.get(0).name()).isEqualTo("t");
      assertThat(results.get(1).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
      assertThat(results.get(1).topicId()).isEqualTo(unknown);
      assertThat(log.get().topicsByName()).isEmpty();
    }

    @Test
    void rejectsMalformedEntries() throws Exception {
      registerBrokers(1);
      createOne(topic("t", 1, 1));
      Uuid id = log.get().topic("t").id();
      var r = controller.deleteTopics(new DeleteTopicsRequestData().setTopics(List.of(
          new DeleteTopicState().setName("t").setTopicId(id),
          new DeleteTopicState().setName(null).setTopicId(Uuid.ZERO_UUID),
          new DeleteTopicState().setName("x"), new DeleteTopicState().setName("x"))), (short) 6).get();
      List<DeletableTopicResult> results = new ArrayList<>(r.responses());
      assertThat(results).hasSize(3);
      assertThat(results).allSatisfy(x -> assertThat(x.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code()));
      assertThat(results.get(0).errorMessage()).contains("both");
      assertThat(results.get(1).errorMessage()).contains("Neither");
      assertThat(results.get(2).errorMessage()).isEqualTo("Duplicate topic name.");
      assertThat(log.get().topic("t")).isNotNull();
    }
  }

  @Nested
  class CreatePartitions {
    @Test
    void increasesWithRoundRobinPlacementAndSameReplicationFactor() throws Exception {
      registerBrokers(1, 2, 3);
      createOne(topic("t", 1, 2));
      CreatePartitionsTopicResult r = controller.createPartitions(createPartitions("t", 4, null)).get()
          .results().get(0);
      assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
      TopicImage t = log.get().topic("t");
      assertThat(t.numPartitions()).isEqualTo(4);
      for (int p = 1; p < 4; p++) {
        assertThat(t.partition(p).replicas()).hasSize(2).doesNotHaveDuplicates();
        assertThat(t.partition(p).leader()).isEqualTo(t.partition(p).replicas()[0]);
      }
    }

    @Test
    void rejectsDecreaseEqualAndUnknown() throws Exception {
      registerBrokers(1);
      createOne(topic("t", 3, 1));
      var decrease = controller.createPartitions(createPartitions("t", 2, null)).get().results().get(0);
      assertThat(decrease.errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
      assertThat(decrease.errorMessage()).contains("currently has 3 partition(s); 2 would not be an increase");
      var equal = controller.createPartitions(createPartitions("t", 3, null)).get().results().get(0);
      assertThat(equal.errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
      assertThat(equal.errorMessage()).isEqualTo("Topic already has 3 partition(s).");
      var unknown = controller.createPartitions(createPartitions("nope", 3, null)).get().results().get(0);
      assertThat(unknown.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
      assertThat(log.get().topic("t").numPartitions()).isEqualTo(3);
    }

    @Test
    void honoursAssignmentsAndValidateOnly() throws Exception {
      registerBrokers(1, 2);
      createOne(topic("t", 1, 2));
      var wrongCount = controller.createPartitions(createPartitions("t", 3, List.of(List.of(1, 2)))).get()
          .results().get(0);
      assertThat(wrongCount.errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
      assertThat(wrongCount.errorMessage()).contains("add 2 additional partition(s), but only 1 assignment(s)");
      var wrongRf = controller.createPartitions(createPartitions("t", 2, List.of(List.of(1)))).get().results().get(0);
      assertThat(wrongRf.errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
      var dryRun = controller.createPartitions(createPartitions("t", 2, List.of(List.of(2, 1))).setValidateOnly(true))
          .get().results().get(0);
      assertThat(dryRun.errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(log.get().topic("t").numPartitions()).isEqualTo(1);
      controller.createPartitions(createPartitions("t", 2, List.of(List.of(2, 1)))).get();
      assertThat(log.get().topic("t").partition(1).replicas()).containsExactly(2, 1);
    }

    @Test
    void needsEnoughBrokersForTheTopicsReplicationFactor() throws Exception {
      registerBrokers(1, 2);
      createOne(withAssignments(topic("t", -1, -1), List.of(List.of(1, 2))));
      // Replace broker 2's registration by nothing is impossible, so use a topic whose RF exceeds the brokers.
      log.append(List.of(new TopicRecord("wide", Uuid.randomUuid())));
      Uuid wide = log.get().topic("wide").id();
      log.append(List.of(new PartitionRecord(wide, 0, new int[] {1, 2, 3}, new int[] {1}, 1, 0, 0)));
      var r = controller.createPartitions(createPartitions("wide", 2, null)).get().results().get(0);
      assertThat(r.errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
      assertThat(r.errorMessage()).contains("only 2 broker(s)");
    }
  }

  @Nested
  class IncrementalAlterConfigs {
    private AlterConfigsResourceResponse alterOne(org.apache.kafka.common.message.IncrementalAlterConfigsRequestData
                                                      .AlterConfigsResource r) throws Exception {
      return controller.incrementalAlterConfigs(alter(r)).get().responses().get(0);
    }

    @Test
    void setDeleteAppendSubtractOnTopics() throws Exception {
      registerBrokers(1);
      createOne(topic("t", 1, 1));
      var ok = alterOne(resource(ConfigResource.Type.TOPIC, "t", op("retention.ms", SET, "10"),
          op("cleanup.policy", APPEND, "compact")));
      assertThat(ok.errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(log.get().topic("t").configs())
          .isEqualTo(Map.of("retention.ms", "10", "cleanup.policy", "delete,compact"));
      alterOne(resource(ConfigResource.Type.TOPIC, "t", op("retention.ms", DELETE, null),
          op("cleanup.policy", SUBTRACT, "delete")));
      assertThat(log.get().topic("t").configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
      var empty = alterOne(resource(ConfigResource.Type.TOPIC, "t", op("cleanup.policy", SUBTRACT, "compact")));
      assertThat(empty.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(empty.errorMessage()).contains("cleanup.policy");
      var notList = alterOne(resource(ConfigResource.Type.TOPIC, "t", op("retention.ms", APPEND, "1")));
      assertThat(notList.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(notList.errorMessage()).contains("retention.ms is not a list");
    }

    @Test
    void aResourceIsAllOrNothingAndResourcesAreIndependent() throws Exception {
      registerBrokers(1);
      createOne(topic("a", 1, 1));
      createOne(topic("b", 1, 1));
      var r = controller.incrementalAlterConfigs(alter(
          resource(ConfigResource.Type.TOPIC, "a", op("retention.ms", SET, "1"), op("segment.ms", SET, "x")),
          resource(ConfigResource.Type.TOPIC, "b", op("retention.ms", SET, "2")),
          resource(ConfigResource.Type.TOPIC, "c", op("retention.ms", SET, "3")))).get().responses();
      assertThat(r.get(0).errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(r.get(0).errorMessage()).isEqualTo("Invalid value x for configuration segment.ms: "
          + "Not a number of type LONG");
      assertThat(r.get(1).errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(r.get(2).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
      assertThat(log.get().topic("a").configs()).isEmpty();
      assertThat(log.get().topic("b").configs()).isEqualTo(Map.of("retention.ms", "2"));
    }

    @Test
    void rejectsUnknownKeysNullsDuplicatesAndUnsupportedTypes() throws Exception {
      registerBrokers(1);
      createOne(topic("t", 1, 1));
      var unknown = alterOne(resource(ConfigResource.Type.TOPIC, "t", op("bogus", SET, "1")));
      assertThat(unknown.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(unknown.errorMessage()).contains("bogus");
      var nullSet = alterOne(resource(ConfigResource.Type.TOPIC, "t", op("retention.ms", SET, null)));
      assertThat(nullSet.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
      var dupKeys = alterOne(resource(ConfigResource.Type.TOPIC, "t", op("retention.ms", SET, "1"),
          op("retention.ms", SET, "2")));
      assertThat(dupKeys.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
      var group = alterOne(resource(ConfigResource.Type.GROUP, "g", op("x", SET, "1")));
      assertThat(group.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
      var dupResources = controller.incrementalAlterConfigs(alter(
          resource(ConfigResource.Type.TOPIC, "t", op("retention.ms", SET, "1")),
          resource(ConfigResource.Type.TOPIC, "t", op("retention.ms", SET, "2")))).get().responses();
      assertThat(dupResources).hasSize(1);
      assertThat(dupResources.get(0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
      assertThat(log.get().topic("t").configs()).isEmpty();
    }

    @Test
    void brokerConfigsSetAndDelete() throws Exception {
      var ok = controller.incrementalAlterConfigs(alter(
          resource(ConfigResource.Type.BROKER, "", op("log.retention.ms", SET, "100")),
          resource(ConfigResource.Type.BROKER, "1", op("log.cleaner.threads", SET, "4")))).get().responses();
      assertThat(ok).allSatisfy(r -> assertThat(r.errorCode()).isEqualTo(Errors.NONE.code()));
      assertThat(log.get().brokerConfigs("")).isEqualTo(Map.of("log.retention.ms", "100"));
      assertThat(log.get().brokerConfigs("1")).isEqualTo(Map.of("log.cleaner.threads", "4"));
      alterOne(resource(ConfigResource.Type.BROKER, "1", op("log.cleaner.threads", DELETE, null)));
      assertThat(log.get().brokerConfigs()).doesNotContainKey("1");

      assertThat(alterOne(resource(ConfigResource.Type.BROKER, "x", op("log.cleaner.threads", SET, "4")))
          .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
      var zeroThreads = alterOne(resource(ConfigResource.Type.BROKER, "", op("log.cleaner.threads", SET, "0")));
      assertThat(zeroThreads.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(zeroThreads.errorMessage())
          .isEqualTo("Invalid value 0 for configuration log.cleaner.threads: Value must be at least 1");
      assertThat(alterOne(resource(ConfigResource.Type.BROKER, "", op("log.cleanup.policy", APPEND, "compact")))
          .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
      var readOnly = alterOne(resource(ConfigResource.Type.BROKER, "", op("num.io.threads", SET, "3")));
      assertThat(readOnly.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(readOnly.errorMessage()).contains("num.io.threads", "read-only");
      var hours = alterOne(resource(ConfigResource.Type.BROKER, "1", op("log.retention.hours", SET, "3")));
      assertThat(hours.errorMessage()).contains("log.retention.hours", "read-only");
      var unknown = alterOne(resource(ConfigResource.Type.BROKER, "1", op("log.retention.weeks", SET, "3")));
      assertThat(unknown.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(unknown.errorMessage()).isEqualTo("Unknown broker config name: log.retention.weeks");
      var badValue = alterOne(resource(ConfigResource.Type.BROKER, "", op("log.segment.bytes", SET, "1000")));
      assertThat(badValue.errorMessage())
          .isEqualTo("Invalid value 1000 for configuration log.segment.bytes: Value must be at least 1048576");
      assertThat(log.get().brokerConfigs("")).isEqualTo(Map.of("log.retention.ms", "100"));
      assertThat(log.get().brokerConfigs()).doesNotContainKey("1");
    }

    @Test
    void compactionLagBoundsAreCheckedTogetherOnTheEffectiveConfig() throws Exception {
      registerBrokers(1);
      createOne(withConfigs(topic("t", 1, 1), Map.of("max.compaction.lag.ms", "1000")));
      var tooBig = alterOne(resource(ConfigResource.Type.TOPIC, "t", op("min.compaction.lag.ms", SET, "5000")));
      assertThat(tooBig.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(tooBig.errorMessage()).startsWith("Invalid value 5000 for configuration min.compaction.lag.ms")
          .contains("max.compaction.lag.ms (1000)");
      // Raising the max in the same request makes it consistent.
      var both = alterOne(resource(ConfigResource.Type.TOPIC, "t", op("min.compaction.lag.ms", SET, "5000"),
          op("max.compaction.lag.ms", SET, "9000")));
      assertThat(both.errorCode()).isEqualTo(Errors.NONE.code());
      // A cluster-wide dynamic default counts for a topic without its own value.
      alterOne(resource(ConfigResource.Type.BROKER, "", op("log.cleaner.max.compaction.lag.ms", SET, "2000")));
      var againstDefault = alterOne(resource(ConfigResource.Type.TOPIC, "t",
          op("max.compaction.lag.ms", DELETE, null)));
      assertThat(againstDefault.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(log.get().topic("t").configs())
          .isEqualTo(Map.of("min.compaction.lag.ms", "5000", "max.compaction.lag.ms", "9000"));
    }

    @Test
    void validateOnlyAndNoOpsWriteNothing() throws Exception {
      registerBrokers(1);
      createOne(withConfigs(topic("t", 1, 1), Map.of("retention.ms", "7")));
      int batches = log.batches().size();
      var dry = controller.incrementalAlterConfigs(alter(resource(ConfigResource.Type.TOPIC, "t",
          op("retention.ms", SET, "8"))).setValidateOnly(true)).get().responses().get(0);
      assertThat(dry.errorCode()).isEqualTo(Errors.NONE.code());
      alterOne(resource(ConfigResource.Type.TOPIC, "t", op("retention.ms", SET, "7"),
          op("segment.ms", DELETE, null)));
      assertThat(log.batches()).hasSize(batches);
      assertThat(log.get().topic("t").configs()).isEqualTo(Map.of("retention.ms", "7"));
    }
  }

  @Nested
  class LegacyAlterConfigs {
    private AlterConfigsResponseData.AlterConfigsResourceResponse replace(ConfigResource.Type type, String name,
                                                                          Map<String, String> configs,
                                                                          boolean validateOnly) throws Exception {
      AlterConfigsRequestData.AlterableConfigCollection c = new AlterConfigsRequestData.AlterableConfigCollection();
      configs.forEach((k, v) -> c.add(new AlterConfigsRequestData.AlterableConfig().setName(k).setValue(v)));
      AlterConfigsRequestData.AlterConfigsResourceCollection resources =
          new AlterConfigsRequestData.AlterConfigsResourceCollection();
      resources.add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(type.id())
          .setResourceName(name).setConfigs(c));
      var responses = controller.alterConfigs(new AlterConfigsRequestData().setResources(resources)
          .setValidateOnly(validateOnly)).get().responses();
      assertThat(responses).hasSize(1);
      return responses.get(0);
    }

    @Test
    void replacesTheWholeSetRemovingKeysNotMentioned() throws Exception {
      registerBrokers(1);
      createOne(withConfigs(topic("t", 1, 1), Map.of("retention.ms", "7", "segment.ms", "9")));
      var r = replace(ConfigResource.Type.TOPIC, "t", Map.of("retention.ms", "8", "cleanup.policy", "compact"),
          false);
      assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(log.get().topic("t").configs()).isEqualTo(Map.of("retention.ms", "8", "cleanup.policy", "compact"));
      int batches = log.batches().size();
      assertThat(replace(ConfigResource.Type.TOPIC, "t", Map.of("retention.ms", "8", "cleanup.policy", "compact"),
          false).errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(log.batches()).as("an identical set changes nothing").hasSize(batches);
      replace(ConfigResource.Type.TOPIC, "t", Map.of(), false);
      assertThat(log.get().topic("t").configs()).isEmpty();
    }

    @Test
    void validateOnlyChecksButWritesNothing() throws Exception {
      registerBrokers(1);
      createOne(withConfigs(topic("t", 1, 1), Map.of("retention.ms", "7")));
      int batches = log.batches().size();
      var ok = replace(ConfigResource.Type.TOPIC, "t", Map.of("segment.ms", "10"), true);
      assertThat(ok.errorCode()).isEqualTo(Errors.NONE.code());
      var bad = replace(ConfigResource.Type.TOPIC, "t", Map.of("segment.ms", "never"), true);
      assertThat(bad.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(bad.errorMessage()).isEqualTo("Invalid value never for configuration segment.ms: "
          + "Not a number of type LONG");
      assertThat(log.batches()).hasSize(batches);
      assertThat(log.get().topic("t").configs()).isEqualTo(Map.of("retention.ms", "7"));
    }

    @Test
    void anInvalidOrUnknownKeyLeavesTheResourceUntouched() throws Exception {
      registerBrokers(1);
      createOne(withConfigs(topic("t", 1, 1), Map.of("retention.ms", "7")));
      var unknown = replace(ConfigResource.Type.TOPIC, "t", Map.of("retention.ms", "1", "retention.weeks", "1"),
          false);
      assertThat(unknown.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(unknown.errorMessage()).isEqualTo("Unknown topic config name: retention.weeks");
      var outOfRange = replace(ConfigResource.Type.TOPIC, "t", Map.of("min.cleanable.dirty.ratio", "1.5"), false);
      assertThat(outOfRange.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(outOfRange.errorMessage()).contains("min.cleanable.dirty.ratio", "no more than 1.0");
      assertThat(log.get().topic("t").configs()).isEqualTo(Map.of("retention.ms", "7"));
      assertThat(replace(ConfigResource.Type.TOPIC, "missing", Map.of(), false).errorCode())
          .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    @Test
    void brokerResourcesAreReplacedToo() throws Exception {
      controller.incrementalAlterConfigs(alter(resource(ConfigResource.Type.BROKER, "",
          op("log.retention.ms", SET, "100"), op("log.segment.bytes", SET, "2000000")))).get();
      var r = replace(ConfigResource.Type.BROKER, "", Map.of("log.retention.ms", "200"), false);
      assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
      assertThat(log.get().brokerConfigs("")).isEqualTo(Map.of("log.retention.ms", "200"));
      var readOnly = replace(ConfigResource.Type.BROKER, "1", Map.of("listeners", "PLAINTEXT://:1"), false);
      assertThat(readOnly.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
      assertThat(readOnly.errorMessage()).contains("listeners");
      assertThat(replace(ConfigResource.Type.BROKER, "-1", Map.of(), false).errorCode())
          .isEqualTo(Errors.INVALID_REQUEST.code());
    }
  }

  @Nested
  class BrokersProducerIdsAndClusterId {
    @Test
    void reRegistrationReplacesAndIdenticalRegistrationIsANoOp() throws Exception {
      Uuid incarnation = Uuid.randomUuid();
      List<Endpoint> endpoints = List.of(new Endpoint("PLAINTEXT", "h", 9092, SecurityProtocol.PLAINTEXT));
      controller.registerBroker(1, incarnation, endpoints, null).get();
      controller.registerBroker(1, incarnation, endpoints, null).get();
      assertThat(log.batches()).hasSize(1);
      Uuid next = Uuid.randomUuid();
      controller.registerBroker(1, next, endpoints, "r1").get();
      assertThat(log.get().brokers().get(1).incarnationId()).isEqualTo(next);
      assertThat(log.get().brokers().get(1).rack()).isEqualTo("r1");
      assertThatThrownBy(() -> controller.registerBroker(2, next, List.of(), null).get())
          .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void producerIdBlocksAreConsecutiveAndDisjoint() throws Exception {
      assertThat(controller.allocateProducerIds(1, 1000).get()).isEqualTo(0L);
      assertThat(controller.allocateProducerIds(2, 10).get()).isEqualTo(1000L);
      assertThat(controller.allocateProducerIds(1, 1000).get()).isEqualTo(1010L);
      assertThat(log.get().nextProducerId()).isEqualTo(2010L);
      assertThatThrownBy(() -> controller.allocateProducerIds(1, 0).get())
          .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clusterIdIsWrittenOnce() throws Exception {
      assertThat(controller.ensureClusterId("first").get()).isEqualTo("first");
      assertThat(controller.ensureClusterId("second").get()).isEqualTo("first");
      assertThat(log.batches()).hasSize(1);
      assertThat(log.get().clusterId()).isEqualTo("first");
    }
  }

  @Nested
  class WriteFailures {
    @Test
    void failedWriteTurnsSuccessesIntoErrorsButKeepsValidationErrors() throws Exception {
      registerBrokers(1);
      log.failNextWrite(new NotControllerException("not the leader"));
      CreateTopicsResponseData r = controller.createTopics(createTopics(topic("a", 1, 1), topic("b", 0, 1))).get();
      assertThat(r.topics().find("a").errorCode()).isEqualTo(Errors.NOT_CONTROLLER.code());
      assertThat(r.topics().find("a").topicId()).isEqualTo(Uuid.ZERO_UUID);
      assertThat(r.topics().find("a").configs()).isEmpty();
      assertThat(r.topics().find("b").errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
      assertThat(log.get().topicsByName()).isEmpty();

      log.failNextWrite(new NotControllerException("not the leader"));
      assertThatThrownBy(() -> controller.allocateProducerIds(1, 10).get())
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotControllerException.class);
      assertThat(controller.allocateProducerIds(1, 10).get()).isZero();
    }

    @Test
    void staleDecisionIsTakenAgainOnTheNewImage() throws Exception {
      registerBrokers(1);
      log.beforeNextWrite(() -> log.append(List.of(new TopicRecord("race", Uuid.randomUuid()))));
      CreatableTopicResult r = createOne(topic("race", 1, 1));
      assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.TOPIC_ALREADY_EXISTS);
      assertThat(log.get().topic("race").partitions()).isEmpty();
    }

    @Test
    void closedControllerRefusesWork() {
      controller.close();
      assertThatThrownBy(() -> controller.allocateProducerIds(1, 1).get())
          .hasCauseInstanceOf(NotControllerException.class);
    }
  }
}
