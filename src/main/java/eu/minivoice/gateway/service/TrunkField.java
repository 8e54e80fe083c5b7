package eu.minivoice.gateway.service;

/**
 * The trunk fields a customer may write (docs/product.md §2), with their JSON names and types. Everything
 * else in a request body is either read-only (refused with a clear message) or unknown.
 */
public enum TrunkField {
    NAME("name", Kind.STRING),
    PROXY("proxy", Kind.STRING),
    USERNAME("username", Kind.STRING),
    PASSWORD("password", Kind.STRING),
    REALM("realm", Kind.STRING),
    FROM_DOMAIN("from_domain", Kind.STRING),
    INBOUND_IP("inbound_ip", Kind.STRING),
    IS_ACTIVE("is_active", Kind.BOOLEAN),
    GATEWAY_NAME("gateway_name", Kind.STRING),
    DIRECTION("direction", Kind.STRING),
    PRIORITY("priority", Kind.INTEGER),
    REGISTER("register", Kind.BOOLEAN),
    REGISTER_EXPIRES("register_expires", Kind.INTEGER),
    PING_INTERVAL("ping_interval", Kind.INTEGER),
    APPLICATION_ID("application_id", Kind.STRING),
    MAX_CONCURRENT_CALLS("max_concurrent_calls", Kind.INTEGER),
    MAX_CPS("max_cps", Kind.INTEGER),
    FAILOVER_CODES("failover_codes", Kind.INTEGER_LIST),
    TLS_VERIFY_HOSTNAME("tls_verify_hostname", Kind.BOOLEAN);

    public enum Kind { STRING, BOOLEAN, INTEGER, INTEGER_LIST }

    /** Fields the API shows but nobody writes. */
    public static final java.util.Set<String> READ_ONLY = java.util.Set.of(
            "id", "customer_id", "registration_status", "registration", "health", "inbound_ip_conflict", "created_at",
            "updated_at", "owner_node");

    private final String json;
    private final Kind kind;

    TrunkField(String json, Kind kind) {
        this.json = json;
        this.kind = kind;
    }

    public String json() {
        return json;
    }

    public Kind kind() {
        return kind;
    }

    public static TrunkField fromJson(String name) {
        for (TrunkField f : values()) {
            if (f.json.equals(name)) {
                return f;
            }
        }
        return null;
    }
}
