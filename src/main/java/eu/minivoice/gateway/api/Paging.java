package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.domain.PageRequest;

import java.util.List;
import java.util.function.Function;

/**
 * List endpoints page the same way: {@code ?limit=} (1–1000, default 100) and {@code ?cursor=}
 * (the {@code next_cursor} of the previous page); the answer is
 * {@code {"data":[…],"count":n,"next_cursor":"…"|null}}.
 */
final class Paging {
    private Paging() {
    }

    static PageRequest request(ApiRequest r) {
        int limit = PageRequest.DEFAULT_LIMIT;
        List<String> l = r.query().get("limit");
        if (l != null && !l.isEmpty()) {
            String v = l.get(0).strip();
            if (!v.matches("\\d{1,4}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > PageRequest.MAX_LIMIT) {
                throw new ApiException(422, ErrorCode.VALIDATION_FAILED, "limit must be 1 to " + PageRequest.MAX_LIMIT,
                        "limit");
            }
            limit = Integer.parseInt(v);
        }
        List<String> c = r.query().get("cursor");
        String cursor = c == null || c.isEmpty() || c.get(0).isBlank() ? null : c.get(0).strip();
        if (cursor != null && !cursor.matches("[A-Za-z0-9_\\-]{1,100}")) {
            throw new ApiException(422, ErrorCode.VALIDATION_FAILED, "cursor must be a next_cursor value", "cursor");
        }
        return new PageRequest(cursor, limit);
    }

    static <T> ObjectNode page(Json json, List<T> items, PageRequest page, Function<T, ObjectNode> view,
                               Function<T, String> id) {
        ObjectNode root = json.object();
        ArrayNode data = root.putArray("data");
        items.forEach(i -> data.add(view.apply(i)));
        root.put("count", items.size());
        root.put("next_cursor", items.size() == page.limit() ? id.apply(items.get(items.size() - 1)) : null);
        return root;
    }
}
