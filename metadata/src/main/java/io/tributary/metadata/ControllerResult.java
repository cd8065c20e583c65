package io.tributary.metadata;

import java.util.List;

/** What one controller decision produced: the records to write (maybe none) and the response to return once written. */
record ControllerResult<T>(List<MetadataRecord> records, T response) {
  ControllerResult {
    records = List.copyOf(records);
  }

  static <T> ControllerResult<T> of(T response) {
    return new ControllerResult<>(List.of(), response);
  }
}
