package dev.slipway.controlplane.auth;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;

/** Whether an RBAC rule covers a request, with Kubernetes' matching of wildcards and subresources. */
final class PolicyRules {

    static final String ALL = "*";

    private PolicyRules() {
    }

    static boolean allows(PolicyRule rule, RequestAttributes request) {
        if (!matches(rule.getVerbs(), request.verb())) {
            return false;
        }
        if (!request.resourceRequest()) {
            return nonResourceUrlMatches(rule.getNonResourceURLs(), request.path());
        }
        return matches(rule.getApiGroups(), request.apiGroup())
                && resourceMatches(rule.getResources(), request.resource(), request.subresource())
                && resourceNameMatches(rule.getResourceNames(), request.name());
    }

    static boolean allowsAny(List<PolicyRule> rules, RequestAttributes request) {
        return rules != null && rules.stream().anyMatch(rule -> allows(rule, request));
    }

    private static boolean matches(List<String> allowed, String requested) {
        return allowed != null && (allowed.contains(ALL) || allowed.contains(requested));
    }

    // "pods" covers only pods; "pods/status" its subresource; "*/scale" every scale; "pods/*" every pod subresource.
    private static boolean resourceMatches(List<String> rules, String resource, String subresource) {
        if (rules == null) {
            return false;
        }
        String combined = subresource.isEmpty() ? resource : resource + "/" + subresource;
        for (String rule : rules) {
            if (rule.equals(ALL) || rule.equals(combined)) {
                return true;
            }
            if (!subresource.isEmpty() && (rule.equals("*/" + subresource) || rule.equals(resource + "/*"))) {
                return true;
            }
        }
        return false;
    }

    // A rule that names objects covers only requests that name one of them (not list, watch, or create).
    private static boolean resourceNameMatches(List<String> names, String name) {
        return names == null || names.isEmpty() || (!name.isEmpty() && names.contains(name));
    }

    private static boolean nonResourceUrlMatches(List<String> urls, String path) {
        if (urls == null) {
            return false;
        }
        for (String url : urls) {
            if (url.equals(ALL) || url.equals(path)
                    || (url.endsWith("*") && path.startsWith(url.substring(0, url.length() - 1)))) {
                return true;
            }
        }
        return false;
    }
}
