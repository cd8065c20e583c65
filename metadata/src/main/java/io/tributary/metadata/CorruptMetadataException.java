package io.tributary.metadata;

/** Encoded metadata (a log entry or a snapshot) failed its checksum or does not parse. */
public class CorruptMetadataException extends RuntimeException {
  public CorruptMetadataException(String message) {
    super(message);
  }

  public CorruptMetadataException(String message, Throwable cause) {
    super(message, cause);
  }
}
