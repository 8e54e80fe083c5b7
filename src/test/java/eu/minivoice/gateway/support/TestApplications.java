package eu.minivoice.gateway.support;

import eu.minivoice.gateway.support.Http.Reply;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Applications a test creates through the API (unique names), deleted again by {@link #deleteAll}. */
public final class TestApplications {
    private static final AtomicInteger names = new AtomicInteger();
    private final Http http;
    private final String key;
    private final List<String> created = new ArrayList<>();

    public TestApplications(Http http, String key) {
        this.http = http;
        this.key = key;
    }

    /** @param fields JSON members besides the name, e.g. {@code "webhook_url":"…"} */
    public String create(String fields) {
        Reply r = http.post("/v1/applications", key, "{\"name\":\"test-app-" + names.incrementAndGet() + "\","
                + fields + "}");
        assertEquals(201, r.status(), r.body());
        String id = r.data().get("id").asText();
        created.add(id);
        return id;
    }

    public void deleteAll() {
        created.forEach(id -> http.delete("/v1/applications/" + id, key));
        created.clear();
    }
}
