package eu.minivoice.gateway.api;

import eu.minivoice.gateway.domain.ErrorCode;

/** An error answer: HTTP status + {"error":{"code","message"[,"field"]}}. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final ErrorCode code;
    private final String field;

    public ApiException(int status, ErrorCode code, String message) {
        this(status, code, message, null);
    }

    public ApiException(int status, ErrorCode code, String message, String field) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
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
