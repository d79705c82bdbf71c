package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A label selector in Kubernetes' string syntax: {@code a=b}, {@code a==b}, {@code a!=b},
 * {@code a in (x,y)}, {@code a notin (x)}, {@code a}, {@code !a}, joined by commas (all must hold).
 */
public record LabelSelector(List<Requirement> requirements) {

    public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS }

    public record Requirement(String key, Operator operator, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> value != null;
                case NOT_EXISTS -> value == null;
            };
        }
    }

    private static final Pattern SET = Pattern.compile("\\s*(!?)\\s*([A-Za-z0-9./_-]+)\\s*(?:(notin|in)\\s*\\(([^)]*)\\)|(==|=|!=)\\s*([A-Za-z0-9._-]*))?\\s*");

    public LabelSelector {
        requirements = List.copyOf(requirements);
    }

    public static LabelSelector everything() {
        return new LabelSelector(List.of());
    }

    public static LabelSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return everything();
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String part : splitTopLevel(selector)) {
            Matcher matcher = SET.matcher(part);
            if (!matcher.matches()) {
                throw ApiError.badRequest("unable to parse requirement: invalid label selector \"" + selector + "\" at \"" + part.strip() + "\"");
            }
            boolean negated = !matcher.group(1).isEmpty();
            String key = matcher.group(2);
            if (negated && (matcher.group(3) != null || matcher.group(5) != null)) {
                throw ApiError.badRequest("invalid label selector \"" + selector + "\": '!' only goes before a bare key");
            }
            if (matcher.group(3) != null) {
                Set<String> values = Set.copyOf(List.of(matcher.group(4).split("\\s*,\\s*")).stream().map(String::strip)
                        .filter(value -> !value.isEmpty()).toList());
                requirements.add(new Requirement(key, matcher.group(3).equals("in") ? Operator.IN : Operator.NOT_IN, values));
            } else if (matcher.group(5) != null) {
                requirements.add(new Requirement(key, matcher.group(5).equals("!=") ? Operator.NOT_EQUALS : Operator.EQUALS,
                        Set.of(matcher.group(6))));
            } else {
                requirements.add(new Requirement(key, negated ? Operator.NOT_EXISTS : Operator.EXISTS, Set.of()));
            }
        }
        return new LabelSelector(requirements);
    }

    public boolean matches(Map<String, String> labels) {
        return requirements.stream().allMatch(requirement -> requirement.matches(labels));
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    private static List<String> splitTopLevel(String selector) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(selector.substring(start));
        return parts;
    }
}
