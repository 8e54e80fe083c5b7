package eu.minivoice.gateway.api;

import eu.minivoice.gateway.domain.ErrorCode;
import eu.minivoice.gateway.service.ApiKeys;
import eu.minivoice.gateway.service.CustomerService;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Bearer-key authentication. The presented key is never logged or echoed. */
public final class Authenticator {
    private final CustomerService customers;
    /** SHA-256 of the operator key, or null when operator access is off. */
    private final byte[] operatorKeyHash;

    public Authenticator(CustomerService customers, String operatorKey) {
        this.customers = customers;
        this.operatorKeyHash = operatorKey.isEmpty() ? null
                : ApiKeys.hash(operatorKey).getBytes(StandardCharsets.US_ASCII);
    }

    /** @return the customer id of a valid customer key; @throws ApiException 401 */
    public String customer(HttpHeaders headers) {
        return customers.authenticate(bearer(headers)).orElseThrow(() -> unauthorized("invalid API key"));
    }

    public void requireOperator(HttpHeaders headers) {
        String key = bearer(headers);
        byte[] presented = ApiKeys.hash(key).getBytes(StandardCharsets.US_ASCII);
        // Constant-time compare of digests: the comparison reveals nothing about the key.
        if (operatorKeyHash == null || !MessageDigest.isEqual(operatorKeyHash, presented)) {
            throw unauthorized("this endpoint needs the operator key");
        }
    }

    private static String bearer(HttpHeaders headers) {
        String value = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (value == null || value.isBlank()) {
            throw unauthorized("missing Authorization: Bearer <api key> header");
        }
        String v = value.strip();
        if (v.length() < 7 || !v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("Authorization header must be 'Bearer <api key>'");
        }
        return v.substring(7).strip();
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(401, ErrorCode.UNAUTHORIZED, message);
    }
}
