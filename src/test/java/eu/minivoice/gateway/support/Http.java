package eu.minivoice.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A tiny real-HTTP client for the admin API. Every answer is checked against docs/openapi.yaml
 * ({@link ApiContract}): a test that receives an answer the description does not allow fails.
 */
public final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public Http(String base) {
        this.base = base;
    }

    /** An answer: status, raw body, parsed JSON (null when the body is not JSON), headers. */
    public record Reply(int status, String body, JsonNode json, java.net.http.HttpHeaders headers) {
        public String errorCode() {
            return json == null ? null : json.path("error").path("code").asText(null);
        }

        public String errorField() {
            return json == null ? null : json.path("error").path("field").asText(null);
        }

        public JsonNode data() {
            return json.get("data");
        }
    }

    public Reply send(String method, String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (!r.body().isEmpty()) {
                try {
                    json = JSON.readTree(r.body());
                } catch (IOException notJson) {
                    json = null;
                }
            }
            ApiContract.shared().check(method, path, r.statusCode(), r.headers(), r.body());
            return new Reply(r.statusCode(), r.body(), json, r.headers());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Reply get(String path, String key) {
        return send("GET", path, key, null);
    }

    public Reply post(String path, String key, String body) {
        return send("POST", path, key, body);
    }

    public Reply patch(String path, String key, String body) {
        return send("PATCH", path, key, body);
    }

    public Reply delete(String path, String key) {
        return send("DELETE", path, key, null);
    }
}
