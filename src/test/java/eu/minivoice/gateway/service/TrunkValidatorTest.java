package eu.minivoice.gateway.service;

import eu.minivoice.gateway.config.GatewayConfig.SecurityConfig;
import eu.minivoice.gateway.config.GatewayConfig.TrunkDefaults;
import eu.minivoice.gateway.domain.TrunkDirection;
import eu.minivoice.gateway.domain.TrunkSpec;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrunkValidatorTest {
    private final TrunkValidator validator = new TrunkValidator(new TrunkDefaults(1800, 50),
            new SecurityConfig(java.util.List.of("127.0.0.0/8"), 16, 32));

    private static Map<TrunkField, Object> fields(Object... kv) {
        Map<TrunkField, Object> m = new EnumMap<>(TrunkField.class);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((TrunkField) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void appliesDefaultsOnCreate() {
        TrunkSpec s = validator.create(fields(TrunkField.NAME, " Carrier A ", TrunkField.PROXY, "sip.example.net"));
        assertEquals("Carrier A", s.name());
        assertEquals("Carrier A", s.gatewayName());
        assertTrue(s.active());
        assertEquals(TrunkDirection.BOTH, s.direction());
        assertEquals(50, s.priority());
        assertEquals(1800, s.registerExpires());
        assertEquals(0, s.pingInterval());
        assertNull(s.register());
        assertFalse(s.registers());
    }

    @Test
    void registersByDefaultOnlyWithAUsername() {
        assertTrue(validator.create(fields(TrunkField.NAME, "a", TrunkField.PROXY, "p.example",
                TrunkField.USERNAME, "u")).registers());
        assertFalse(validator.create(fields(TrunkField.NAME, "a", TrunkField.PROXY, "p.example",
                TrunkField.USERNAME, "u", TrunkField.REGISTER, false)).registers());
        ValidationException e = assertThrows(ValidationException.class, () -> validator.create(
                fields(TrunkField.NAME, "a", TrunkField.PROXY, "p.example", TrunkField.REGISTER, true)));
        assertEquals("register", e.errors().get(0).field());
    }

    @Test
    void patchKeepsWhatIsNotGivenAndClearsWhatIsNull() {
        TrunkSpec base = validator.create(fields(TrunkField.NAME, "a", TrunkField.PROXY, "p.example",
                TrunkField.USERNAME, "u", TrunkField.PASSWORD, "pw", TrunkField.INBOUND_IP, "198.51.0.0/16"));
        TrunkSpec patched = validator.patch(base, fields(TrunkField.PASSWORD, null, TrunkField.PRIORITY, 1));
        assertNull(patched.password());
        assertEquals(1, patched.priority());
        assertEquals("u", patched.username());
        assertEquals("198.51.0.0/16", patched.inboundIp());
        assertEquals("a", patched.gatewayName(), "gateway_name does not follow a renamed trunk");
        assertEquals("a", validator.patch(base, fields(TrunkField.NAME, "b")).gatewayName());
    }

    @Test
    void canonicalisesInboundAddressesAndDomains() {
        TrunkSpec s = validator.create(fields(TrunkField.NAME, "a", TrunkField.PROXY, "p.example",
                TrunkField.INBOUND_IP, "203.0.113.5/32, 2001:DB8::/32", TrunkField.FROM_DOMAIN, "Carrier.Example"));
        assertEquals("203.0.113.5,2001:db8::/32", s.inboundIp());
        assertEquals("carrier.example", s.fromDomain());
    }

    @Test
    void collectsEveryError() {
        Map<TrunkField, Object> bad = new HashMap<>();
        bad.put(TrunkField.PROXY, "sip:u@x");
        bad.put(TrunkField.PING_INTERVAL, 3);
        bad.put(TrunkField.MAX_CONCURRENT_CALLS, 0);
        bad.put(TrunkField.REALM, "a\"b");
        ValidationException e = assertThrows(ValidationException.class, () -> validator.create(new EnumMap<>(bad)));
        assertEquals(java.util.Set.of("name", "proxy", "ping_interval", "max_concurrent_calls", "realm"),
                e.errors().stream().map(ValidationException.FieldError::field).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void refusesControlCharactersAndOverlongNames() {
        assertThrows(ValidationException.class, () -> validator.create(fields(TrunkField.NAME, "a\nb", TrunkField.PROXY, "p.example")));
        assertThrows(ValidationException.class, () -> validator.create(fields(TrunkField.NAME, "x".repeat(101), TrunkField.PROXY, "p.example")));
        assertThrows(ValidationException.class, () -> validator.create(fields(TrunkField.NAME, "a", TrunkField.PROXY, "p.example",
                TrunkField.PASSWORD, "")));
    }
}
