package eu.minivoice.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a JSON object body field by field, collecting every problem before failing, so one
 * answer names all wrong fields. Unknown fields are errors (a typo must not be silently ignored).
 */
final class Fields {
    private final ObjectNode body;
    private final List<ValidationException.FieldError> errors = new ArrayList<>();

    Fields(ObjectNode body, Set<String> allowed, Set<String> readOnly) {
        this.body = body;
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!allowed.contains(n)) {
                error(n, readOnly.contains(n) ? "is read-only" : "unknown field");
            }
        }
    }

    boolean has(String field) {
        return body.has(field);
    }

    JsonNode node(String field) {
        return body.get(field);
    }

    /** The string value, null when absent or JSON null; a non-string is an error. */
    String text(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            error(field, "must be a string");
            return null;
        }
        return v.textValue();
    }

    void error(String field, String message) {
        errors.add(new ValidationException.FieldError(field, message));
    }

    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }
}
