package eu.minivoice.gateway.api;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.List;
import java.util.Map;

/**
 * A complete HTTP request as the resources see it: no Netty buffers, no channel.
 *
 * @param customerId the authenticated customer, null for operator and public routes
 * @param remote     the client's address (for slowing down failed authentications), or "" when unknown
 */
public record ApiRequest(String method, String path, Map<String, String> pathParams,
                         Map<String, List<String>> query, HttpHeaders headers, byte[] body, String customerId,
                         String remote) {

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    ApiRequest routed(Map<String, String> params, String customer) {
        return new ApiRequest(method, path, params, query, headers, body, customer, remote);
    }
}
