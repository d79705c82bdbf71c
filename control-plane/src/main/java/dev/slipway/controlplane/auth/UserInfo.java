package dev.slipway.controlplane.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who made a request, as an authenticator established it.
 *
 * @param name   the user name, e.g. {@code system:node:worker-1} or {@code system:serviceaccount:ns:name}
 * @param groups the groups the user belongs to, always including {@code system:authenticated}
 * @param uid    a stable id where the credential carries one, else ""
 * @param extra  further attributes (e.g. the service-account token's pod), empty when none
 */
public record UserInfo(String name, List<String> groups, String uid, Map<String, List<String>> extra) {

    public static final String AUTHENTICATED = "system:authenticated";
    public static final String MASTERS = "system:masters";

    public UserInfo {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a user needs a name");
        }
        groups = List.copyOf(groups);
        uid = uid == null ? "" : uid;
        extra = Map.copyOf(extra);
    }

    /** A user with the given groups plus {@code system:authenticated}, no uid and no extra attributes. */
    public static UserInfo of(String name, List<String> groups) {
        var all = new ArrayList<>(groups);
        if (!all.contains(AUTHENTICATED)) {
            all.add(AUTHENTICATED);
        }
        return new UserInfo(name, all, "", Map.of());
    }

    public boolean inGroup(String group) {
        return groups.contains(group);
    }
}
