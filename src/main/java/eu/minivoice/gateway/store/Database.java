package eu.minivoice.gateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import eu.minivoice.gateway.config.GatewayConfig.DatabaseConfig;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection pool and the schema. Opening it runs the versioned migrations under
 * src/main/resources/db/migration (Flyway), so a gateway never runs against an older schema.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource dataSource;
    private final String description;

    private Database(HikariDataSource dataSource, String description) {
        this.dataSource = dataSource;
        this.description = description;
    }

    /** Opens the pool and migrates the schema; any failure is a {@link DatabaseStartException}. */
    public static Database open(DatabaseConfig config) throws DatabaseStartException {
        return openAt(config, null);
    }

    /** Opened with the schema migrated up to {@code targetVersion} only (null: the latest); migration tests start from older versions. */
    static Database openAt(DatabaseConfig config, String targetVersion) throws DatabaseStartException {
        String url;
        String description;
        if (config.embedded()) {
            Path dir = config.dataDir().toAbsolutePath().normalize();
            try {
                Files.createDirectories(dir);
                ownerOnly(dir);
            } catch (IOException e) {
                throw new DatabaseStartException("cannot create data directory " + dir + ": " + e.getMessage(), e);
            }
            // MODE=PostgreSQL keeps the SQL portable to the PostgreSQL backend; DB_CLOSE_ON_EXIT=FALSE lets
            // the gateway's own shutdown close the database after the last write, not H2's shutdown hook.
            // WRITE_DELAY=0: a commit reaches the file before it returns (H2's default keeps commits in
            // memory for up to 500 ms), so an event the outbox accepted survives kill -9.
            url = "jdbc:h2:file:" + dir.resolve("minivoice") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE"
                    + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
            description = "embedded H2 database in " + dir;
        } else {
            url = config.url();
            description = "database " + url.replaceAll("password=[^;&]*", "password=***");
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        if (!config.embedded()) {
            hikari.setUsername(config.user().isEmpty() ? null : config.user());
            hikari.setPassword(config.password().isEmpty() ? null : config.password());
        }
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setPoolName("minivoice-db");
        hikari.setConnectionTimeout(5_000);
        hikari.setInitializationFailTimeout(5_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new DatabaseStartException("cannot open " + description + ": " + rootMessage(e), e);
        }
        try {
            var flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration")
                    .javaMigrations(new V13__EventPayloadAsBytes(), new V15__EmbeddedEventSeqCache());
            if (targetVersion != null) {
                flyway.target(targetVersion);
            }
            var result = flyway.load().migrate();
            log.info("{} ready (schema version {}, {} migration(s) applied)", description,
                    result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion,
                    result.migrationsExecuted);
        } catch (FlywayException e) {
            ds.close();
            throw new DatabaseStartException("schema migration failed on " + description + ": " + rootMessage(e), e);
        }
        if (config.embedded()) {
            try {
                ownerOnly(config.dataDir().toAbsolutePath().normalize()); // the files H2 just created
            } catch (IOException e) {
                log.warn("cannot restrict the data directory's permissions: {}", e.getMessage());
            }
        }
        return new Database(ds, description);
    }

    /**
     * The data directory 0700 and its files 0600 (POSIX file systems): the database holds call
     * records and sealed secrets, and the key file may sit beside it. Nobody but the gateway's
     * user reads them.
     */
    public static void ownerOnly(Path dir) throws IOException {
        if (!Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            return;
        }
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                }
            }
        }
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    /** Live pages of chunks at most this full are moved, so the chunk's space can be used again. */
    static final int COMPACT_BELOW_FILL_PERCENT = 50;
    /** The most live data moved in one pass (bytes): bounded, because commits wait meanwhile. */
    static final int COMPACT_BYTES_PER_PASS = 16 * 1024 * 1024;

    /**
     * H2 only (else nothing): moves the live pages out of the file's sparsest chunks, so that space
     * is used again (docs/storage.md, "Embedded database file").
     *
     * <p>Why we do it: with WRITE_DELAY=0 (every commit on disk before it returns) H2 runs no
     * background thread, and so none of its housekeeping: a chunk left with a few live pages by
     * the B-trees' copy-on-write commits and by deletes was never reused (DatabaseCompactionTest:
     * 139 MB instead of 56 MB for the same data). Called every few seconds from one maintenance
     * thread; H2's own MVStore API does the work.
     *
     * @return the percentage of the file's chunks' space that is live after the pass, or -1 when
     *         the database is not H2
     */
    public int compactEmbedded() throws SQLException {
        if (!dataSource.getJdbcUrl().startsWith("jdbc:h2:")) {
            return -1; // not even a connection taken from PostgreSQL's pool
        }
        try (Connection c = dataSource.getConnection()) {
            org.h2.mvstore.MVStore store = mvStore(c);
            if (store == null) {
                return -1;
            }
            store.compact(COMPACT_BELOW_FILL_PERCENT, COMPACT_BYTES_PER_PASS);
            return store.getFileStore().getChunksFillRate();
        }
    }

    /** The MVStore under an H2 connection, or null (another database, an in-memory H2). */
    static org.h2.mvstore.MVStore mvStore(Connection c) throws SQLException {
        if (!c.isWrapperFor(org.h2.jdbc.JdbcConnection.class)) {
            return null;
        }
        // JdbcConnection.getSession is public API of H2's JDBC driver; an embedded session is a
        // SessionLocal, whose database holds the store (pinned by DatabaseCompactionTest).
        if (!(c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession() instanceof org.h2.engine.SessionLocal local)) {
            return null;
        }
        org.h2.mvstore.MVStore store = local.getDatabase().getStore().getMvStore();
        return store.getFileStore() == null ? null : store;
    }

    /** True when a connection can be had and answers within a second (for /health). */
    public boolean isReachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(1);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
        log.info("{} closed", description);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        // H2 explains a second process on the same files with a long message; keep the first line.
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    /** The database could not be opened or migrated; the gateway cannot start. */
    public static final class DatabaseStartException extends Exception {
        public DatabaseStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
