package dev.slipway.controlplane.apiserver.rest;

import dev.slipway.controlplane.apiserver.core.ApiError;
import dev.slipway.controlplane.apiserver.core.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A field selector: {@code field=value}, {@code field==value} or {@code field!=value}, joined by
 * commas. Any dotted path into the object is accepted (a superset of what Kubernetes allows per type).
 */
public record FieldSelector(List<Term> terms) {

    /** One requirement; {@code path} is {@code field} split at its dots, once, since watches match every event. */
    public record Term(String field, boolean equal, String value, String[] path) {

        public Term(String field, boolean equal, String value) {
            this(field, equal, value, field.split("\\."));
        }
    }

    public FieldSelector {
        terms = List.copyOf(terms);
    }

    public static FieldSelector everything() {
        return new FieldSelector(List.of());
    }

    public static FieldSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return everything();
        }
        List<Term> terms = new ArrayList<>();
        for (String part : selector.split(",")) {
            String term = part.strip();
            int at;
            boolean equal;
            int skip;
            if ((at = term.indexOf("!=")) > 0) {
                equal = false;
                skip = 2;
            } else if ((at = term.indexOf("==")) > 0) {
                equal = true;
                skip = 2;
            } else if ((at = term.indexOf('=')) > 0) {
                equal = true;
                skip = 1;
            } else {
                throw ApiError.badRequest("invalid field selector \"" + selector + "\": \"" + term + "\" is not field=value");
            }
            terms.add(new Term(term.substring(0, at).strip(), equal, term.substring(at + skip).strip()));
        }
        return new FieldSelector(terms);
    }

    public boolean matches(JsonNode object) {
        for (Term term : terms) {
            JsonNode value = Json.at(object, term.path());
            String actual = value == null || value.isNull() ? "" : value.isString() ? value.stringValue() : value.toString();
            if (actual.equals(term.value()) != term.equal()) {
                return false;
            }
        }
        return true;
    }

    /** The value this selector pins a field to with {@code =}, e.g. metadata.name for a watch of one object. */
    public Optional<String> pinned(String field) {
        return terms.stream().filter(term -> term.equal() && term.field().equals(field)).map(Term::value).findFirst();
    }

    public boolean isEverything() {
        return terms.isEmpty();
    }
}
