package eu.minivoice.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.service.ConflictException;
import eu.minivoice.gateway.service.ValidationException;
import eu.minivoice.gateway.store.DuplicateException;
import eu.minivoice.gateway.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** Maps every failure to its documented status and {"error":{...}} body (docs/api.md). */
final class ErrorBodies {
    private static final Logger log = LoggerFactory.getLogger(ErrorBodies.class);

    private final Json json;

    ErrorBodies(Json json) {
        this.json = json;
    }

    ApiResponse of(Throwable failure, String method, String path) {
        if (failure instanceof ApiException e) {
            return body(e.status(), e.code(), e.getMessage(), e.field(), e.headers());
        }
        if (failure instanceof Router.MethodNotAllowed e) {
            return body(405, ErrorCode.METHOD_NOT_ALLOWED, e.getMessage(), null, Map.of("Allow", e.allowHeader()));
        }
        if (failure instanceof ValidationException e) {
            ApiResponse r = body(422, ErrorCode.VALIDATION_FAILED, e.getMessage(), e.errors().get(0).field(), Map.of());
            ArrayNode details = ((ObjectNode) ((ObjectNode) r.body()).get("error")).putArray("details");
            e.errors().forEach(fe -> details.addObject().put("field", fe.field()).put("message", fe.message()));
            return r;
        }
        if (failure instanceof DuplicateException e) {
            return body(409, ErrorCode.CONFLICT, e.field() + " is already used by another of your resources", e.field(),
                    Map.of());
        }
        if (failure instanceof eu.minivoice.gateway.service.QuotaExceededException e) {
            return body(403, ErrorCode.QUOTA_EXCEEDED, e.getMessage(), null, Map.of());
        }
        if (failure instanceof ConflictException e) {
            return body(409, ErrorCode.CONFLICT, e.getMessage(), null, Map.of());
        }
        if (failure instanceof StoreException) {
            log.error("{} {}: database failure", method, path, failure);
            return body(503, ErrorCode.INTERNAL_ERROR, "database unavailable, try again", null, Map.of("Retry-After", "5"));
        }
        log.error("{} {}: unexpected failure", method, path, failure);
        return body(500, ErrorCode.INTERNAL_ERROR, "internal error", null, Map.of());
    }

    ApiResponse body(int status, ErrorCode code, String message, String field, Map<String, String> headers) {
        ObjectNode root = json.object();
        ObjectNode error = root.putObject("error");
        error.put("code", code.code());
        error.put("message", message);
        if (field != null) {
            error.put("field", field);
        }
        return new ApiResponse(status, root, headers);
    }
}
