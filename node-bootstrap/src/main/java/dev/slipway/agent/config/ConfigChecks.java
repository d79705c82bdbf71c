package dev.slipway.agent.config;

import java.net.URI;

/** Field checks shared by the config records; messages name the YAML field. */
final class ConfigChecks {

  private ConfigChecks() {}

  static void required(Object value, String field) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      throw new InvalidAgentConfigException(field + " is required");
    }
  }

  static void https(URI url, String field) {
    if (!"https".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 1) {
      throw new InvalidAgentConfigException(field + " must be https://address:port, got '" + url + "'");
    }
  }
}
