package eu.minivoice.gateway.api;

import eu.minivoice.gateway.domain.ErrorCode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the route for a request: unknown path → 404, known path with another method → 405 with
 * Allow, then the route's access rule (401), then the handler.
 */
public final class Router {
    private final List<Route> routes = new ArrayList<>();
    private final Authenticator authenticator;
    private final AuthThrottle throttle;

    public Router(Authenticator authenticator, AuthThrottle throttle) {
        this.authenticator = authenticator;
        this.throttle = throttle;
    }

    public Router add(Route route) {
        routes.add(route);
        return this;
    }

    /** The routes in the order they are tried (the API description test compares them with docs/openapi.yaml). */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    public ApiResponse dispatch(ApiRequest request) {
        String path = request.path().length() > 1 && request.path().endsWith("/")
                ? request.path().substring(0, request.path().length() - 1) : request.path();
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = match(route.pattern(), path);
            if (params == null) {
                continue;
            }
            if (!route.method().equals(request.method())) {
                allowed.add(route.method());
                continue;
            }
            String customer = route.access() == Route.Access.PUBLIC ? null : authenticate(route, request);
            return route.handler().handle(request.routed(params, customer));
        }
        if (!allowed.isEmpty()) {
            throw new MethodNotAllowed(allowed);
        }
        throw new ApiException(404, ErrorCode.NOT_FOUND, "no such endpoint: " + request.method() + " " + path);
    }

    /** The route's access rule, behind the failed-authentication throttle of the client's address. */
    private String authenticate(Route route, ApiRequest request) {
        long wait = throttle.retryAfterSeconds(request.remote());
        if (wait > 0) {
            throw new ApiException(429, ErrorCode.RATE_LIMITED, "too many failed authentications from your address;"
                    + " retry in " + wait + " s", null, Map.of("Retry-After", Long.toString(wait)));
        }
        try {
            if (route.access() == Route.Access.OPERATOR) {
                authenticator.requireOperator(request.headers());
                return null;
            }
            return authenticator.customer(request.headers());
        } catch (ApiException e) {
            throttle.failed(request.remote());
            throw e;
        }
    }

    /** @return the captured {name} segments, or null when the path does not fit the pattern */
    static Map<String, String> match(String pattern, String path) {
        String[] p = pattern.split("/", -1);
        String[] s = path.split("/", -1);
        if (p.length != s.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < p.length; i++) {
            if (p[i].startsWith("{") && p[i].endsWith("}")) {
                if (s[i].isEmpty()) {
                    return null;
                }
                params.put(p[i].substring(1, p[i].length() - 1), s[i]);
            } else if (!p[i].equals(s[i])) {
                return null;
            }
        }
        return params;
    }

    /** 405 with the methods the path does take. */
    public static final class MethodNotAllowed extends RuntimeException {
        private final Set<String> allowed;

        MethodNotAllowed(Set<String> allowed) {
            super("method not allowed; this endpoint takes " + String.join(", ", allowed));
            this.allowed = Set.copyOf(allowed);
        }

        public String allowHeader() {
            return String.join(", ", new java.util.TreeSet<>(allowed));
        }
    }
}
