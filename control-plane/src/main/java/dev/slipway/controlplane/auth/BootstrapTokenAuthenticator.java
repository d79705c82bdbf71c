package dev.slipway.controlplane.auth;

import dev.slipway.controlplane.storage.ObjectKey;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bootstrap tokens {@code <id>.<secret>} as Kubernetes defines them: a Secret
 * {@code kube-system/bootstrap-token-<id>} of type {@code bootstrap.kubernetes.io/token} holds the
 * secret, its expiry, whether it may authenticate, and extra groups.
 */
final class BootstrapTokenAuthenticator implements Authenticator {

    static final String NAMESPACE = "kube-system";
    static final String SECRET_PREFIX = "bootstrap-token-";
    static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
    static final String BOOTSTRAPPERS = "system:bootstrappers";
    private static final Pattern TOKEN = Pattern.compile("([a-z0-9]{6})\\.([a-z0-9]{16})");
    private static final Pattern EXTRA_GROUP = Pattern.compile("system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]");

    private final Function<ObjectKey, Optional<Secret>> secrets;
    private final Clock clock;

    BootstrapTokenAuthenticator(Function<ObjectKey, Optional<Secret>> secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = clock;
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        Matcher token = TOKEN.matcher(credentials.bearerToken().orElse(""));
        if (!token.matches()) {
            return Optional.empty();
        }
        String id = token.group(1);
        return secrets.apply(new ObjectKey("secrets", NAMESPACE, SECRET_PREFIX + id))
                .filter(secret -> SECRET_TYPE.equals(secret.getType()))
                .filter(secret -> secret.getMetadata() == null || secret.getMetadata().getDeletionTimestamp() == null)
                .flatMap(secret -> userFor(id, token.group(2), data(secret)));
    }

    private Optional<UserInfo> userFor(String id, String presentedSecret, Map<String, String> data) {
        if (!id.equals(data.get("token-id"))
                || !constantTimeEquals(presentedSecret, data.getOrDefault("token-secret", ""))
                || !"true".equals(data.get("usage-bootstrap-authentication"))
                || expired(data.get("expiration"))) {
            return Optional.empty();
        }
        List<String> groups = new ArrayList<>(List.of(BOOTSTRAPPERS));
        for (String extra : data.getOrDefault("auth-extra-groups", "").split(",")) {
            String group = extra.strip();
            if (group.isEmpty()) {
                continue;
            }
            // Kubernetes refuses a token whose extra groups reach outside system:bootstrappers:*.
            if (!EXTRA_GROUP.matcher(group).matches()) {
                return Optional.empty();
            }
            groups.add(group);
        }
        return Optional.of(UserInfo.of("system:bootstrap:" + id, groups));
    }

    private boolean expired(String expiration) {
        if (expiration == null || expiration.isBlank()) {
            return false;
        }
        try {
            return !clock.instant().isBefore(Instant.parse(expiration.strip()));
        } catch (DateTimeParseException e) {
            return true; // an expiry we cannot read must not make a token live forever
        }
    }

    private static Map<String, String> data(Secret secret) {
        var values = new HashMap<String, String>();
        if (secret.getStringData() != null) {
            values.putAll(secret.getStringData());
        }
        if (secret.getData() != null) {
            secret.getData().forEach((key, encoded) -> {
                try {
                    values.put(key, new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException ignored) {
                    // not base64: leave the key out, so the token does not validate
                }
            });
        }
        return values;
    }

    private static boolean constantTimeEquals(String presented, String expected) {
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
