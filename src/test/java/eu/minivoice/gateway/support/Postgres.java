package eu.minivoice.gateway.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server for the tests: Debian's binaries (package {@code postgresql},
 * installed by scripts/test.sh when missing), a cluster in a temporary directory on a free port on
 * 127.0.0.1, started once per test JVM and stopped when it exits. Each {@link #newDatabase} is an
 * empty database of its own. As root, the server runs as the {@code postgres} user (PostgreSQL
 * refuses to run as root).
 */
public final class Postgres {
    public static final String USER = "minivoice";
    private static Postgres shared;

    private final Path dir;
    private final int port;
    private final boolean asPostgres;
    private final AtomicInteger databases = new AtomicInteger();

    private Postgres(Path dir, int port, boolean asPostgres) {
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** The server of this JVM, started on first use. */
    public static synchronized Postgres shared() throws Exception {
        if (shared == null) {
            shared = start();
            Postgres s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "postgres-stop"));
        }
        return shared;
    }

    private static Postgres start() throws Exception {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("mv-pg");
        Path data = dir.resolve("data");
        int port = FreePorts.next();
        Postgres pg = new Postgres(dir, port, root);
        if (root) {
            pg.run("chown", "-R", "postgres:postgres", dir.toString());
        }
        pg.runAs(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
                "-E", "UTF8", "--no-sync", "--locale=C");
        // Tests trade durability for speed; a benchmark (-Dminivoice.test.postgres.durable=true)
        // measures the server as an operator runs it: every commit flushed.
        String speed = Boolean.getBoolean("minivoice.test.postgres.durable") ? ""
                : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        pg.runAs(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60",
                "-l", dir.resolve("server.log").toString(),
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                        + speed + " -c max_connections=300",
                "start");
        return pg;
    }

    /** The newest installed server's bin directory (/usr/lib/postgresql/N/bin). */
    private static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("PostgreSQL is not installed (Debian package postgresql; scripts/test.sh installs it)");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IllegalStateException("no initdb under " + root))
                    .resolve("bin");
        }
    }

    private final java.util.Map<Path, String> byDataDir = new java.util.concurrent.ConcurrentHashMap<>();

    /** The database of a test gateway's data directory: new and empty the first time. */
    public String databaseFor(Path dataDir) throws Exception {
        Path key = dataDir.toAbsolutePath().normalize();
        String url = byDataDir.get(key);
        if (url == null) {
            url = newDatabase();
            byDataDir.put(key, url);
        }
        return url;
    }

    /** A new, empty database; its JDBC URL (user {@link #USER}, no password). */
    public String newDatabase() throws Exception {
        String name = "mv_test_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Stops the server and removes its files (each test JVM's server is 40–70 MB on disk). */
    private void stop() {
        try {
            runAs(binaries().resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "stop");
        } catch (Exception e) {
            // the JVM is exiting: remove what can be removed all the same
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }

    private void runAs(String... command) throws Exception {
        List<String> c = new ArrayList<>();
        if (asPostgres) {
            c.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        c.addAll(List.of(command));
        run(c.toArray(String[]::new));
    }

    private void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
    }
}
