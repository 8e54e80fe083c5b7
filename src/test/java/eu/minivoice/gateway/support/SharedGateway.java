package eu.minivoice.gateway.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One in-process gateway for a whole test class, with its own throw-away data directory:
 * {@code @RegisterExtension static final SharedGateway shared = new SharedGateway();} then
 * {@code shared.gw()}. An environment tweak (shorter timeouts) can be passed in.
 */
public final class SharedGateway implements BeforeAllCallback, AfterAllCallback {
    private final Consumer<Map<String, String>> tweak;
    private Path dir;
    private TestGateway gw;

    public SharedGateway() {
        this(env -> { });
    }

    public SharedGateway(Consumer<Map<String, String>> tweak) {
        this.tweak = tweak;
    }

    public TestGateway gw() {
        return gw;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("minivoice-test-");
        Map<String, String> env = TestGateway.env(dir);
        tweak.accept(env);
        gw = TestGateway.start(dir, env);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (gw != null) {
            gw.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
