package dev.slipway.agent.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet makes it: {@code envFrom} first, then {@code env} in
 * order with {@code $(VAR)} references expanded, and {@code valueFrom} read from ConfigMaps,
 * Secrets, the pod's own fields and the container's resources. Also expands command and args.
 */
public final class ContainerEnvironment {

  /** Where ConfigMaps and Secrets come from (the API, with the node's identity). */
  public interface Objects {
    Optional<ConfigMap> configMap(String namespace, String name);

    Optional<Secret> secret(String namespace, String name);
  }

  /** A reference that cannot be resolved; the container is not started and the message lands in its status. */
  public static final class UnresolvedReference extends RuntimeException {
    public UnresolvedReference(String message) {
      super(message);
    }
  }

  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)|\\$\\$");

  private ContainerEnvironment() {}

  public static Map<String, String> resolve(Pod pod, Container container, String hostIp, String podIp, Objects objects) {
    String namespace = pod.getMetadata().getNamespace();
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource from : PodSync.orEmpty(container.getEnvFrom())) {
      String prefix = from.getPrefix() == null ? "" : from.getPrefix();
      if (from.getConfigMapRef() != null) {
        boolean optional = Boolean.TRUE.equals(from.getConfigMapRef().getOptional());
        Optional<ConfigMap> map = objects.configMap(namespace, from.getConfigMapRef().getName());
        if (map.isEmpty() && !optional) {
          throw new UnresolvedReference("configmap \"" + from.getConfigMapRef().getName() + "\" not found");
        }
        map.map(ConfigMap::getData).ifPresent(data -> data.forEach((k, v) -> env.put(prefix + k, v)));
      }
      if (from.getSecretRef() != null) {
        boolean optional = Boolean.TRUE.equals(from.getSecretRef().getOptional());
        Optional<Secret> secret = objects.secret(namespace, from.getSecretRef().getName());
        if (secret.isEmpty() && !optional) {
          throw new UnresolvedReference("secret \"" + from.getSecretRef().getName() + "\" not found");
        }
        secret.map(ContainerEnvironment::secretData).ifPresent(data -> data.forEach((k, v) -> env.put(prefix + k, v)));
      }
    }
    for (EnvVar variable : PodSync.orEmpty(container.getEnv())) {
      if (variable.getValueFrom() != null) {
        valueFrom(pod, container, variable.getName(), variable.getValueFrom(), hostIp, podIp, objects).ifPresent(v -> env.put(variable.getName(), v));
      } else {
        env.put(variable.getName(), expand(variable.getValue() == null ? "" : variable.getValue(), env));
      }
    }
    return env;
  }

  /** Expands {@code $(VAR)} from the environment; unknown references stay as written, {@code $$} is a literal {@code $}. */
  public static String expand(String text, Map<String, String> env) {
    Matcher matcher = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String replacement = matcher.group(1) == null ? "\\$" : env.containsKey(matcher.group(1))
          ? Matcher.quoteReplacement(env.get(matcher.group(1))) : Matcher.quoteReplacement(matcher.group());
      matcher.appendReplacement(out, replacement);
    }
    matcher.appendTail(out);
    return out.toString();
  }

  public static List<String> expandAll(List<String> texts, Map<String, String> env) {
    List<String> out = new ArrayList<>();
    for (String text : PodSync.orEmpty(texts)) {
      out.add(expand(text, env));
    }
    return out;
  }

  private static Optional<String> valueFrom(Pod pod, Container container, String name, EnvVarSource from, String hostIp, String podIp,
      Objects objects) {
    String namespace = pod.getMetadata().getNamespace();
    if (from.getConfigMapKeyRef() != null) {
      var ref = from.getConfigMapKeyRef();
      Optional<String> value = objects.configMap(namespace, ref.getName()).map(ConfigMap::getData).map(d -> d.get(ref.getKey()));
      if (value.isEmpty() && !Boolean.TRUE.equals(ref.getOptional())) {
        throw new UnresolvedReference("couldn't find key " + ref.getKey() + " in ConfigMap " + namespace + "/" + ref.getName());
      }
      return value;
    }
    if (from.getSecretKeyRef() != null) {
      var ref = from.getSecretKeyRef();
      Optional<String> value = objects.secret(namespace, ref.getName()).map(ContainerEnvironment::secretData).map(d -> d.get(ref.getKey()));
      if (value.isEmpty() && !Boolean.TRUE.equals(ref.getOptional())) {
        throw new UnresolvedReference("couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName());
      }
      return value;
    }
    if (from.getFieldRef() != null) {
      return Optional.of(field(pod, from.getFieldRef().getFieldPath(), hostIp, podIp));
    }
    if (from.getResourceFieldRef() != null) {
      String resource = from.getResourceFieldRef().getResource();
      Map<String, Quantity> limits = container.getResources() == null || container.getResources().getLimits() == null
          ? Map.of() : container.getResources().getLimits();
      Quantity quantity = limits.get(resource.replace("limits.", ""));
      return Optional.of(quantity == null ? "0" : quantity.toString());
    }
    throw new UnresolvedReference("environment variable " + name + " has a valueFrom with no source");
  }

  static String field(Pod pod, String path, String hostIp, String podIp) {
    var metadata = pod.getMetadata();
    Matcher keyed = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]").matcher(path);
    if (keyed.matches()) {
      Map<String, String> map = keyed.group(1).equals("labels") ? metadata.getLabels() : metadata.getAnnotations();
      return map == null ? "" : map.getOrDefault(keyed.group(2), "");
    }
    return switch (path) {
      case "metadata.name" -> metadata.getName();
      case "metadata.namespace" -> metadata.getNamespace();
      case "metadata.uid" -> metadata.getUid();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> String.valueOf(pod.getSpec().getServiceAccountName());
      case "status.hostIP", "status.hostIPs" -> hostIp;
      case "status.podIP", "status.podIPs" -> podIp;
      default -> throw new UnresolvedReference("unsupported fieldRef " + path);
    };
  }

  private static Map<String, String> secretData(Secret secret) {
    Map<String, String> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      data.putAll(secret.getStringData());
    }
    return data;
  }
}
