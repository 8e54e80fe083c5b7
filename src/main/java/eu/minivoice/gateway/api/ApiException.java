package eu.minivoice.gateway.api;

import eu.minivoice.gateway.domain.ErrorCode;

/** An error answer: HTTP status + {"error":{"code","message"[,"field"]}}. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final ErrorCode code;
    private final String field;
    private final java.util.Map<String, String> headers;

    public ApiException(int status, ErrorCode code, String message) {
        this(status, code, message, null);
    }

    public ApiException(int status, ErrorCode code, String message, String field) {
        this(status, code, message, field, java.util.Map.of());
    }

    public ApiException(int status, ErrorCode code, String message, String field, java.util.Map<String, String> headers) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
        this.headers = java.util.Map.copyOf(headers);
    }

    /** Headers the answer carries (Retry-After). */
    public java.util.Map<String, String> headers() {
        return headers;
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, ErrorCode.NOT_FOUND, what + " not found");
    }

    public int status() {
        return status;
    }

    public ErrorCode code() {
        return code;
    }

    public String field() {
        return field;
    }
}
