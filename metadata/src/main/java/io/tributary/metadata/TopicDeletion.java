package io.tributary.metadata;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * Decides DeleteTopics: by name (all versions) or by id (v6+, where each entry names exactly one of the two).
 * Each entry is judged on its own; every deleted topic becomes one RemoveTopicRecord in a single batch.
 */
final class TopicDeletion {
  private TopicDeletion() {
  }

  static ControllerResult<DeleteTopicsResponseData> deleteTopics(MetadataImage image, DeleteTopicsRequestData request,
                                                                 short version) {
    List<DeleteTopicState> entries = new ArrayList<>();
    if (version < 6) {
      request.topicNames().forEach(n -> entries.add(new DeleteTopicState().setName(n).setTopicId(Uuid.ZERO_UUID)));
    } else {
      entries.addAll(request.topics());
    }
    Set<String> duplicateNames = TopicCreation.duplicateNames(entries.stream()
        .filter(e -> e.name() != null && isZero(e.topicId())).map(DeleteTopicState::name).toList());
    Set<Uuid> duplicateIds = duplicates(entries.stream()
        .filter(e -> e.name() == null && !isZero(e.topicId())).map(DeleteTopicState::topicId).toList());

    DeleteTopicsResponseData response = new DeleteTopicsResponseData();
    Set<String> reportedNames = new HashSet<>();
    Set<Uuid> reportedIds = new HashSet<>();
    Set<Uuid> removed = new LinkedHashSet<>();
    for (DeleteTopicState entry : entries) {
      DeletableTopicResult result = new DeletableTopicResult().setName(entry.name()).setTopicId(Uuid.ZERO_UUID);
      boolean byName = entry.name() != null;
      boolean byId = !isZero(entry.topicId());
      if (byName && byId) {
        response.responses().add(error(result.setTopicId(entry.topicId()), Errors.INVALID_REQUEST,
            "You may not specify both topic name and topic id."));
      } else if (!byName && !byId) {
        response.responses().add(error(result, Errors.INVALID_REQUEST, "Neither topic name nor id were specified."));
      } else if (byName && duplicateNames.contains(entry.name())) {
        if (reportedNames.add(entry.name())) {
          response.responses().add(error(result, Errors.INVALID_REQUEST, "Duplicate topic name."));
        }
      } else if (byId && duplicateIds.contains(entry.topicId())) {
        if (reportedIds.add(entry.topicId())) {
          response.responses().add(error(result.setTopicId(entry.topicId()), Errors.INVALID_REQUEST,
              "Duplicate topic id."));
        }
      } else {
        TopicImage topic = byName ? image.topic(entry.name()) : image.topic(entry.topicId());
        if (topic == null) {
          Errors e = byName ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.UNKNOWN_TOPIC_ID;
          response.responses().add(error(result.setTopicId(entry.topicId()), e, e.message()));
        } else {
          removed.add(topic.id());
          response.responses().add(result.setName(topic.name()).setTopicId(topic.id()));
        }
      }
    }
    List<MetadataRecord> records = new ArrayList<>();
    removed.forEach(id -> records.add(new RemoveTopicRecord(id)));
    return new ControllerResult<>(records, response);
  }

  private static boolean isZero(Uuid id) {
    return id == null || Uuid.ZERO_UUID.equals(id);
  }

  private static DeletableTopicResult error(DeletableTopicResult result, Errors error, String message) {
    return result.setErrorCode(error.code()).setErrorMessage(message);
  }

  private static <T> Set<T> duplicates(List<T> items) {
    Set<T> seen = new HashSet<>();
    Set<T> dups = new HashSet<>();
    for (T t : items) {
      if (!seen.add(t)) {
        dups.add(t);
      }
    }
    return dups;
  }
}
