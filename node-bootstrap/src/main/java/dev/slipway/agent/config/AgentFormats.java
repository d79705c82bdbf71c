package dev.slipway.agent.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.time.Duration;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** The agent's one configuration of Jackson: YAML for config files, JSON for sidecars and status. */
public final class AgentFormats {

  public static final YAMLMapper YAML = YAMLMapper.builder()
      .addModule(module())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
      .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
      .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_ABSENT))
      .build();

  public static final JsonMapper JSON = JsonMapper.builder()
      .addModule(module())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_ABSENT))
      .build();

  private AgentFormats() {}

  // Paths as plain strings (not file: URIs) and durations Go-style, as people write them.
  private static SimpleModule module() {
    return new SimpleModule("slipway-agent")
        .addSerializer(Path.class, new ValueSerializer<Path>() {
          @Override
          public void serialize(Path value, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeString(value.toString());
          }
        })
        .addDeserializer(Path.class, new ValueDeserializer<Path>() {
          @Override
          public Path deserialize(JsonParser p, DeserializationContext ctxt) {
            return Path.of(p.getValueAsString());
          }
        })
        .addSerializer(Duration.class, new ValueSerializer<Duration>() {
          @Override
          public void serialize(Duration value, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeString(GoDuration.format(value));
          }
        })
        .addDeserializer(Duration.class, new ValueDeserializer<Duration>() {
          @Override
          public Duration deserialize(JsonParser p, DeserializationContext ctxt) {
            return GoDuration.parse(p.getValueAsString());
          }
        });
  }
}
