package io.tributary.metadata;

/**
 * Checks one config value for one (known) key. Returns null when the value is acceptable, otherwise the reason
 * it is not; the controller turns the reason into an INVALID_CONFIG error that names the key.
 */
@FunctionalInterface
public interface ConfigValidator {
  String validate(String key, String value);

  ConfigValidator ACCEPT_ALL = (key, value) -> null;
}
