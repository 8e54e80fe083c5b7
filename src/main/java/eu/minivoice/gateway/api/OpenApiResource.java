package eu.minivoice.gateway.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import static eu.minivoice.gateway.api.Route.Access.PUBLIC;

/**
 * GET /openapi.yaml: the API's OpenAPI 3.1 description (docs/openapi.yaml, packed into the jar).
 * Public like the documentation it is: it names routes and shapes, never data.
 */
public final class OpenApiResource {
    static final String RESOURCE = "openapi.yaml";

    private final byte[] document;

    public OpenApiResource() {
        this(load());
    }

    OpenApiResource(byte[] document) {
        this.document = document.clone();
    }

    /** Read once at start: a jar without the document is a broken build, not a runtime surprise. */
    private static byte[] load() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void register(Router router) {
        router.add(new Route("GET", "/openapi.yaml", PUBLIC,
                r -> ApiResponse.raw(200, "application/yaml; charset=utf-8", document)));
    }
}
