package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.domain.RegistrationStatus;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static eu.minivoice.gateway.domain.RegistrationStatus.EXPIRED;
import static eu.minivoice.gateway.domain.RegistrationStatus.FAILED;
import static eu.minivoice.gateway.domain.RegistrationStatus.FAIL_WAIT;
import static eu.minivoice.gateway.domain.RegistrationStatus.REGED;
import static eu.minivoice.gateway.domain.RegistrationStatus.REGISTER;
import static eu.minivoice.gateway.domain.RegistrationStatus.TIMEOUT;
import static eu.minivoice.gateway.domain.RegistrationStatus.TRYING;
import static eu.minivoice.gateway.domain.RegistrationStatus.UNREGED;
import static eu.minivoice.gateway.domain.RegistrationStatus.UNREGISTER;

/**
 * The legal transitions (docs/registration.md has the diagram). Anything else is a bug: the
 * state machine throws, and the tests drive every path.
 *
 * <pre>
 * UNREGED    → TRYING, UNREGISTER
 * TRYING     → REGISTER (challenge answered), REGED, FAILED, FAIL_WAIT, TIMEOUT
 * REGISTER   → REGED, FAILED, FAIL_WAIT, TIMEOUT, TRYING (423 retry)
 * REGED      → EXPIRED, FAILED, UNREGISTER            (refreshes keep REGED while valid)
 * EXPIRED    → TRYING, REGISTER, REGED, FAILED, FAIL_WAIT, TIMEOUT, UNREGISTER
 * TIMEOUT    → FAIL_WAIT
 * FAIL_WAIT  → TRYING, EXPIRED, UNREGISTER
 * FAILED     → TRYING, EXPIRED, UNREGISTER
 * UNREGISTER → UNREGED
 * any        → UNREGED (stopped without un-REGISTER)
 * </pre>
 */
final class RegistrationTransitions {
    private static final Map<RegistrationStatus, Set<RegistrationStatus>> ALLOWED = new EnumMap<>(RegistrationStatus.class);

    static {
        ALLOWED.put(UNREGED, EnumSet.of(TRYING, UNREGISTER));
        ALLOWED.put(TRYING, EnumSet.of(REGISTER, REGED, FAILED, FAIL_WAIT, TIMEOUT));
        ALLOWED.put(REGISTER, EnumSet.of(REGED, FAILED, FAIL_WAIT, TIMEOUT, TRYING));
        ALLOWED.put(REGED, EnumSet.of(EXPIRED, FAILED, UNREGISTER));
        ALLOWED.put(EXPIRED, EnumSet.of(TRYING, REGISTER, REGED, FAILED, FAIL_WAIT, TIMEOUT, UNREGISTER));
        ALLOWED.put(TIMEOUT, EnumSet.of(FAIL_WAIT));
        ALLOWED.put(FAIL_WAIT, EnumSet.of(TRYING, EXPIRED, UNREGISTER));
        ALLOWED.put(FAILED, EnumSet.of(TRYING, EXPIRED, UNREGISTER));
        ALLOWED.put(UNREGISTER, EnumSet.of(UNREGED));
        ALLOWED.put(RegistrationStatus.NOREG, EnumSet.noneOf(RegistrationStatus.class));
    }

    private RegistrationTransitions() {
    }

    static boolean allowed(RegistrationStatus from, RegistrationStatus to) {
        return to == UNREGED || ALLOWED.get(from).contains(to);
    }
}
