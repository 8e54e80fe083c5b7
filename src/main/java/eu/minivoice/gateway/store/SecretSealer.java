package eu.minivoice.gateway.store;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

/**
 * At start-up: seals the secrets stored in plain by versions before encryption, and checks that
 * the key opens what is already sealed — a wrong or lost key stops the start with a clear message
 * instead of failing every Digest answer and signature later.
 */
public final class SecretSealer {
    /** table → the secret column (each table has an {@code id} key). */
    static final Map<String, String> SECRETS = Map.of("trunks", "password", "applications", "webhook_secret",
            "customers", "events_secret");

    private SecretSealer() {
    }

    /** @return how many plain values were sealed @throws SecretBox.WrongKeyException when the key does not fit */
    public static int sealAndCheck(DataSource dataSource, SecretBox box) {
        Jdbc jdbc = new Jdbc(dataSource, Map.of());
        int sealed = 0;
        for (Map.Entry<String, String> e : SECRETS.entrySet()) {
            String table = e.getKey();
            String column = e.getValue();
            record Row(String id, String value) {
            }
            List<Row> rows = jdbc.query("SELECT id, " + column + " FROM " + table + " WHERE " + column + " IS NOT NULL",
                    rs -> new Row(rs.getString(1), rs.getString(2)));
            for (Row r : rows) {
                String place = place(table, column, r.id());
                if (SecretBox.isSealed(r.value())) {
                    box.open(r.value(), place); // throws when the key does not fit
                    continue;
                }
                sealed += jdbc.update("UPDATE " + table + " SET " + column + "=? WHERE id=? AND " + column + "=?",
                        box.seal(r.value(), place), r.id(), r.value());
            }
        }
        return sealed;
    }

    /** The associated data a secret is sealed with: its table, column and row. */
    public static String place(String table, String column, String id) {
        return table + "." + column + ":" + id;
    }
}
