package eu.minivoice.gateway.api;

import java.util.Map;

/** What a resource answers; {@code body} is serialised as JSON (null = no body). */
public record ApiResponse(int status, Object body, Map<String, String> headers) {
    /** A body that is not JSON (the Prometheus text format), sent as it is. */
    public record RawBody(byte[] bytes, String contentType) {
    }

    public static ApiResponse raw(int status, String contentType, byte[] bytes) {
        return new ApiResponse(status, new RawBody(bytes, contentType), Map.of());
    }

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
