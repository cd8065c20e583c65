package io.tributary.metadata;

/** A conditional batch was not applied because the image had moved on since the decision was taken. */
public class StaleImageException extends RuntimeException {
  public StaleImageException(long expectedIndex, long actualIndex) {
    super("Decision was taken on the image at index " + expectedIndex + " but the image is at index " + actualIndex);
  }
}
