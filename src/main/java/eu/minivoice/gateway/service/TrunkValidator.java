package eu.minivoice.gateway.service;

import eu.minivoice.gateway.config.GatewayConfig.SecurityConfig;
import eu.minivoice.gateway.config.GatewayConfig.TrunkDefaults;
import eu.minivoice.gateway.domain.AddressPolicy;
import eu.minivoice.gateway.domain.IpRange;
import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.TrunkDirection;
import eu.minivoice.gateway.domain.TrunkSpec;
import eu.minivoice.gateway.service.ValidationException.FieldError;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns a create or a patch (field → typed value, null meaning "clear") into a complete, valid
 * {@link TrunkSpec}. All errors are collected so a customer fixes a request in one round trip.
 * Pure: no I/O, so every rule is unit-tested.
 */
public final class TrunkValidator {
    static final java.util.Set<Integer> NEVER_FAILOVER = java.util.Set.of(401, 404, 407, 486, 487, 600, 603);
    static final int MAX_INBOUND_RANGES = 100;

    private final TrunkDefaults defaults;
    private final SecurityConfig security;
    private final AddressPolicy addresses;

    public TrunkValidator(TrunkDefaults defaults, SecurityConfig security) {
        this.defaults = defaults;
        this.security = security;
        this.addresses = AddressPolicy.allowing(security.allowedPrivateCidrs());
    }

    /** A new trunk from the given fields; name and proxy are required. */
    public TrunkSpec create(Map<TrunkField, Object> fields) {
        Map<TrunkField, Object> v = new EnumMap<>(TrunkField.class);
        v.put(TrunkField.IS_ACTIVE, true);
        v.put(TrunkField.DIRECTION, TrunkDirection.BOTH.token());
        v.put(TrunkField.PRIORITY, defaults.defaultPriority());
        v.put(TrunkField.REGISTER_EXPIRES, defaults.defaultRegisterExpires());
        v.put(TrunkField.PING_INTERVAL, 0);
        v.put(TrunkField.TLS_VERIFY_HOSTNAME, true);
        v.putAll(fields);
        List<FieldError> errors = new ArrayList<>();
        for (TrunkField required : List.of(TrunkField.NAME, TrunkField.PROXY)) {
            if (!fields.containsKey(required)) {
                errors.add(new FieldError(required.json(), "is required"));
            }
        }
        return build(v, errors);
    }

    /** {@code base} with the given fields replaced. */
    public TrunkSpec patch(TrunkSpec base, Map<TrunkField, Object> fields) {
        Map<TrunkField, Object> v = new EnumMap<>(TrunkField.class);
        v.put(TrunkField.NAME, base.name());
        v.put(TrunkField.PROXY, base.proxy());
        v.put(TrunkField.USERNAME, base.username());
        v.put(TrunkField.PASSWORD, base.password());
        v.put(TrunkField.REALM, base.realm());
        v.put(TrunkField.FROM_DOMAIN, base.fromDomain());
        v.put(TrunkField.INBOUND_IP, base.inboundIp());
        v.put(TrunkField.IS_ACTIVE, base.active());
        v.put(TrunkField.GATEWAY_NAME, base.gatewayName());
        v.put(TrunkField.DIRECTION, base.direction().token());
        v.put(TrunkField.PRIORITY, base.priority());
        v.put(TrunkField.REGISTER, base.register());
        v.put(TrunkField.REGISTER_EXPIRES, base.registerExpires());
        v.put(TrunkField.PING_INTERVAL, base.pingInterval());
        v.put(TrunkField.APPLICATION_ID, base.applicationId());
        v.put(TrunkField.MAX_CONCURRENT_CALLS, base.maxConcurrentCalls());
        v.put(TrunkField.MAX_CPS, base.maxCps());
        v.put(TrunkField.FAILOVER_CODES, base.failoverCodes() == null ? null
                : java.util.List.copyOf(base.failoverCodeSet()));
        v.put(TrunkField.TLS_VERIFY_HOSTNAME, base.tlsVerifyHostname());
        v.putAll(fields);
        return build(v, new ArrayList<>());
    }

    private TrunkSpec build(Map<TrunkField, Object> v, List<FieldError> errors) {
        Rules r = new Rules(v, errors);
        String name = r.label(TrunkField.NAME);
        // docs/product.md §2: gateway_name defaults to the name (only on create: a patch always carries it).
        String gatewayName = v.containsKey(TrunkField.GATEWAY_NAME) ? r.label(TrunkField.GATEWAY_NAME) : name;
        String proxy = r.proxy();
        String username = r.username();
        String password = r.text(TrunkField.PASSWORD, 256);
        String realm = r.realm();
        String fromDomain = r.host(TrunkField.FROM_DOMAIN);
        String inboundIp = r.inboundIp();
        Boolean active = r.bool(TrunkField.IS_ACTIVE, false);
        TrunkDirection direction = r.direction();
        Integer priority = r.integer(TrunkField.PRIORITY, 0, 1000, false);
        Boolean register = r.bool(TrunkField.REGISTER, true);
        Integer registerExpires = r.integer(TrunkField.REGISTER_EXPIRES, 60, 86400, false);
        Integer pingInterval = r.integer(TrunkField.PING_INTERVAL, 0, 3600, false);
        if (pingInterval != null && pingInterval > 0 && pingInterval < 5) {
            errors.add(new FieldError("ping_interval", "must be 0 (off) or between 5 and 3600 seconds"));
        }
        String applicationId = r.applicationId();
        Integer maxConcurrent = r.integer(TrunkField.MAX_CONCURRENT_CALLS, 1, 100_000, true);
        Integer maxCps = r.integer(TrunkField.MAX_CPS, 1, 10_000, true);
        String failoverCodes = r.failoverCodes();
        Boolean tlsVerifyHostname = r.bool(TrunkField.TLS_VERIFY_HOSTNAME, false);
        if (Boolean.TRUE.equals(register) && v.get(TrunkField.USERNAME) == null) {
            errors.add(new FieldError("register", "registration needs a username"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return new TrunkSpec(name, proxy, username, password, realm, fromDomain, inboundIp, active, gatewayName,
                direction, priority, register, registerExpires, pingInterval, applicationId, maxConcurrent, maxCps,
                failoverCodes, tlsVerifyHostname);
    }

    /** Per-field rules; each returns the normalised value or records an error and returns null. */
    private final class Rules {
        private final Map<TrunkField, Object> v;
        private final List<FieldError> errors;

        Rules(Map<TrunkField, Object> v, List<FieldError> errors) {
            this.v = v;
            this.errors = errors;
        }

        private void error(TrunkField f, String message) {
            errors.add(new FieldError(f.json(), message));
        }

        /** A required display name: trimmed, 1–100 characters, no control characters. */
        String label(TrunkField f) {
            String s = (String) v.get(f);
            if (s == null) {
                if (v.containsKey(f)) {
                    error(f, "must not be null");
                }
                return null;
            }
            s = s.strip();
            if (s.isEmpty() || s.length() > 100) {
                error(f, "must be 1 to 100 characters");
                return null;
            }
            if (hasControl(s)) {
                error(f, "must not contain control characters");
                return null;
            }
            return s;
        }

        /** An optional free text (null clears it): 1–max characters, no control characters. */
        String text(TrunkField f, int max) {
            String s = (String) v.get(f);
            if (s == null) {
                return null;
            }
            if (s.isEmpty() || s.length() > max) {
                error(f, "must be 1 to " + max + " characters (use null to clear it)");
                return null;
            }
            if (hasControl(s)) {
                error(f, "must not contain control characters");
                return null;
            }
            return s;
        }

        String proxy() {
            String s = (String) v.get(TrunkField.PROXY);
            if (s == null) {
                if (v.containsKey(TrunkField.PROXY)) {
                    error(TrunkField.PROXY, "must not be null");
                }
                return null;
            }
            if (s.length() > 300) {
                error(TrunkField.PROXY, "must be at most 300 characters");
                return null;
            }
            try {
                ProxyAddress p = ProxyAddress.parse(s);
                String refused = addresses.literalRefusal(p.host()); // a name is judged when resolved
                if (refused != null) {
                    error(TrunkField.PROXY, refused + AddressPolicy.HINT);
                    return null;
                }
                return s.strip();
            } catch (IllegalArgumentException e) {
                error(TrunkField.PROXY, e.getMessage());
                return null;
            }
        }

        /** SIP user part: printable ASCII without the characters that would break a URI or a header. */
        String username() {
            String s = text(TrunkField.USERNAME, 128);
            if (s != null && !s.matches("[\\x21-\\x7e&&[^\"<>:@\\\\]]+")) {
                error(TrunkField.USERNAME, "must be printable ASCII without spaces or any of \" < > : @ \\");
                return null;
            }
            return s;
        }

        /** Digest realm: a quoted string on the wire, so no double quote or backslash. */
        String realm() {
            String s = text(TrunkField.REALM, 255);
            if (s != null && (s.contains("\"") || s.contains("\\"))) {
                error(TrunkField.REALM, "must not contain \" or \\");
                return null;
            }
            return s;
        }

        String host(TrunkField f) {
            String s = text(f, 253);
            if (s == null) {
                return null;
            }
            try {
                ProxyAddress.validateHost(s.toLowerCase(Locale.ROOT));
                return s.toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                error(f, e.getMessage());
                return null;
            }
        }

        String inboundIp() {
            String s = (String) v.get(TrunkField.INBOUND_IP);
            if (s == null) {
                return null;
            }
            try {
                List<IpRange> ranges = IpRange.parseList(s);
                if (ranges.size() > MAX_INBOUND_RANGES) {
                    error(TrunkField.INBOUND_IP, "must list at most " + MAX_INBOUND_RANGES + " addresses or ranges");
                    return null;
                }
                for (IpRange range : ranges) {
                    int min = range.isIpv6() ? security.minInboundPrefixV6() : security.minInboundPrefixV4();
                    if (range.prefixLength() < min) {
                        // A wide range would claim other customers' carriers (0.0.0.0/0 claims everyone's).
                        error(TrunkField.INBOUND_IP, range + " is wider than /" + min + " (security.min_inbound_prefix_"
                                + (range.isIpv6() ? "v6" : "v4") + ")");
                        return null;
                    }
                    String refused = addresses.refusal(range);
                    if (refused != null) {
                        error(TrunkField.INBOUND_IP, refused + AddressPolicy.HINT);
                        return null;
                    }
                }
                return ranges.stream().map(IpRange::toString).collect(Collectors.joining(","));
            } catch (IllegalArgumentException e) {
                error(TrunkField.INBOUND_IP, e.getMessage());
                return null;
            }
        }

        /**
         * 1–20 distinct codes 400–699, never a person's answer (404, 486, 600, 603: "a person who
         * declined must not be called again") nor one the relay handles itself (401, 407, 487).
         * Canonical: sorted, comma-separated; null = the defaults.
         */
        String failoverCodes() {
            @SuppressWarnings("unchecked")
            List<Integer> codes = (List<Integer>) v.get(TrunkField.FAILOVER_CODES);
            if (codes == null) {
                return null;
            }
            java.util.TreeSet<Integer> set = new java.util.TreeSet<>(codes);
            if (codes.isEmpty() || codes.size() > 20 || set.size() != codes.size()) {
                error(TrunkField.FAILOVER_CODES, "must list 1 to 20 distinct SIP codes");
                return null;
            }
            for (int c : set) {
                if (c < 400 || c > 699) {
                    error(TrunkField.FAILOVER_CODES, c + " is not a failure code (400-699)");
                    return null;
                }
                if (NEVER_FAILOVER.contains(c)) {
                    error(TrunkField.FAILOVER_CODES, c + " can never fail over (" + (c == 401 || c == 407
                            ? "challenges are answered" : c == 487 ? "the call was cancelled"
                            : "a person's answer: they must not be called again") + ")");
                    return null;
                }
            }
            return set.stream().map(String::valueOf).collect(Collectors.joining(","));
        }

        Boolean bool(TrunkField f, boolean nullable) {
            Boolean b = (Boolean) v.get(f);
            if (b == null && !nullable) {
                error(f, "must be true or false");
            }
            return b;
        }

        Integer integer(TrunkField f, int min, int max, boolean nullable) {
            Integer i = (Integer) v.get(f);
            if (i == null) {
                if (!nullable) {
                    error(f, "must be a whole number");
                }
                return null;
            }
            if (i < min || i > max) {
                error(f, "must be between " + min + " and " + max + (nullable ? " (or null for no limit)" : ""));
                return null;
            }
            return i;
        }

        TrunkDirection direction() {
            String s = (String) v.get(TrunkField.DIRECTION);
            try {
                return TrunkDirection.fromToken(s == null ? "" : s);
            } catch (IllegalArgumentException e) {
                error(TrunkField.DIRECTION, e.getMessage());
                return null;
            }
        }

        String applicationId() {
            String s = (String) v.get(TrunkField.APPLICATION_ID);
            if (s != null && !s.matches("app_[A-Za-z0-9_]{1,64}")) {
                error(TrunkField.APPLICATION_ID, "must be an application id (app_…) or null");
                return null;
            }
            return s;
        }

        private static boolean hasControl(String s) {
            return s.chars().anyMatch(Character::isISOControl);
        }
    }
}
