package eu.minivoice.gateway.store;

/**
 * The database refused the data itself (SQLSTATE class 22 "data exception" or 23 "integrity
 * constraint violation"): writing the same data again fails again, so it must never be retried.
 */
public class RejectedDataException extends StoreException {
    public RejectedDataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** SQLSTATE classes that no retry can fix. */
    static boolean refusesData(java.sql.SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
}
