package eu.minivoice.gateway.domain;

import java.util.List;
import java.util.Optional;

/** Read side of the registration engine, for the API (which must not know the SIP stack). */
public interface RegistrationView {
    /** Empty when the engine keeps no registration for the trunk (then its initial status applies). */
    Optional<RegistrationSnapshot> snapshot(String trunkId);

    /** The OPTIONS-ping health of a trunk that is pinged; empty otherwise. */
    default Optional<TrunkHealth> health(String trunkId) {
        return Optional.empty();
    }

    /** The gateway node that registers and pings the trunk (docs/scale-out.md); empty when none or unknown. */
    default Optional<String> owner(String trunkId) {
        return Optional.empty();
    }

    /** The last REGISTER transactions, oldest first. */
    List<RegisterTransaction> timeline(String trunkId);

    /** One REGISTER transaction as the timeline shows it. */
    record RegisterTransaction(java.time.Instant at, Integer code, String reason, Integer grantedExpires,
                               String target) {
    }

    RegistrationView NONE = new RegistrationView() {
        @Override
        public Optional<RegistrationSnapshot> snapshot(String trunkId) {
            return Optional.empty();
        }

        @Override
        public List<RegisterTransaction> timeline(String trunkId) {
            return List.of();
        }
    };
}
