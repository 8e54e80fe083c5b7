package eu.minivoice.gateway.api;

import java.util.Map;

/** What a resource answers; {@code body} is serialised as JSON (null = no body). */
public record ApiResponse(int status, Object body, Map<String, String> headers) {
    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, body, Map.of());
    }

    public static ApiResponse created(Object body) {
        return new ApiResponse(201, body, Map.of());
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null, Map.of());
    }
}
