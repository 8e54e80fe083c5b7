package eu.minivoice.gateway;

import eu.minivoice.gateway.config.ConfigException;
import eu.minivoice.gateway.config.ConfigLoader;
import eu.minivoice.gateway.config.GatewayConfig;
import eu.minivoice.gateway.domain.RandomIdGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * {@code java -jar minivoice-gateway.jar [--config PATH] [--check-config] [--version]}. Exit codes:
 * 0 after a clean shutdown (or a good --check-config, --version), 2 for a configuration error, 3
 * when start-up fails (port in use, database locked), 64 for bad command-line arguments.
 */
public final class Main {
    static final int EXIT_CONFIG = 2;
    static final int EXIT_STARTUP = 3;
    static final int EXIT_USAGE = 64;

    private Main() {
    }

    /**
     * CompletableFuture's default executor, on a machine with fewer than 3 cores (common pool
     * parallelism 1), starts a new thread per task (the JDK HTTP client once made that one thread
     * per webhook answer). A common pool of at least 2 keeps any default async stage a pool. Must be set
     * before anything touches ForkJoinPool, hence first in main.
     */
    static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM,
                    Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        }
        Path configFile = Path.of("config", "gateway.yml");
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (args[i].startsWith("--config=")) {
                configFile = Path.of(args[i].substring("--config=".length()));
            } else if (args[i].equals("--check-config")) {
                checkOnly = true;
            } else if (args[i].equals("--version")) {
                System.out.println("minivoice-gateway " + Version.current());
                System.exit(0);
            } else {
                System.err.println("usage: java -jar minivoice-gateway.jar [--config PATH] [--check-config] [--version]");
                System.exit(EXIT_USAGE);
            }
        }
        GatewayConfig config;
        try {
            config = new ConfigLoader().load(configFile, System.getenv());
        } catch (ConfigException e) {
            System.err.println("minivoice: configuration error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        if (checkOnly) {
            // The file and the MINIVOICE_* environment as the gateway would run them; nothing is opened.
            System.out.println("minivoice: configuration OK (" + configFile + " + environment): admin "
                    + config.admin().bind() + ":" + config.admin().port() + ", SIP external "
                    + config.sip().bind() + ":" + config.sip().externalPort() + ", internal port "
                    + config.sip().internalPort() + ", database "
                    + (config.database().embedded() ? "embedded H2 in " + config.database().dataDir()
                    : config.database().url().replaceAll("password=[^;&]*", "password=***")));
            System.exit(0);
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        Gateway gateway = new Gateway(config, Clock.systemUTC(), new RandomIdGenerator(idRandom()),
                System.out::println);
        try {
            gateway.start();
        } catch (StartupException e) {
            log.error("cannot start: {}", e.getMessage());
            System.err.println("minivoice: cannot start: " + e.getMessage());
            System.exit(EXIT_STARTUP);
            return;
        }
        // SIGTERM/SIGINT: clean shutdown (stop taking requests, stop SIP, close the database).
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "shutdown"));
    }

    /**
     * The source of ids, tags and tokens (several per call, on every SIP worker): a DRBG seeded
     * once from the OS. Linux's default {@code new SecureRandom()} (NativePRNG) reads /dev/urandom
     * under one JVM-wide lock for every call, which the relay profile showed SIP workers queueing on.
     */
    private static SecureRandom idRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
