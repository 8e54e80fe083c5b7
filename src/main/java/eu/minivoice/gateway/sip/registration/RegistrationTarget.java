package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.Trunk;
import eu.minivoice.gateway.domain.TrunkSpec;

/**
 * Everything a REGISTER for one trunk needs, derived once from the trunk (docs/product.md §3).
 *
 * @param registrarDomain Request-URI host: the realm, else the proxy host
 * @param aorDomain       To/From host: realm, else from_domain, else the proxy host
 * @param contactUser     the per-trunk token in our Contact (gw+&lt;trunk id&gt;), so inbound INVITEs
 *                        to the registered contact can be matched back to the trunk
 */
public record RegistrationTarget(String trunkId, String customerId, String username, String password,
                                 String registrarDomain, String aorDomain, ProxyAddress proxy,
                                 int expires, String contactUser) {

    public static RegistrationTarget of(Trunk trunk) {
        TrunkSpec s = trunk.spec();
        ProxyAddress proxy = s.proxyAddress();
        String registrar = s.realm() != null && isHostLike(s.realm()) ? s.realm() : proxy.host();
        String aor = s.realm() != null && isHostLike(s.realm()) ? s.realm()
                : s.fromDomain() != null ? s.fromDomain() : proxy.host();
        return new RegistrationTarget(trunk.id(), trunk.customerId(), s.username(), s.password(), registrar, aor,
                proxy, s.registerExpires(), "gw+" + trunk.id());
    }

    /** A realm is often the domain, but may be any text ("asterisk"); only a host can be a URI host. */
    private static boolean isHostLike(String realm) {
        try {
            ProxyAddress.validateHost(realm.toLowerCase(java.util.Locale.ROOT));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Never print the password. */
    @Override
    public String toString() {
        return "RegistrationTarget[" + trunkId + " " + username + "@" + aorDomain + " via " + proxy + "]";
    }
}
