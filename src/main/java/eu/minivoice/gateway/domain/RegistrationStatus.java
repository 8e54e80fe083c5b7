package eu.minivoice.gateway.domain;

/**
 * A trunk's registration state, in FreeSWITCH's gateway vocabulary so operators recognise it
 * (docs/product.md §2/§3). The registration engine owns the transitions; until it runs, a trunk is NOREG
 * (registration off) or UNREGED.
 */
public enum RegistrationStatus {
    NOREG, UNREGED, TRYING, REGISTER, REGED, UNREGISTER, FAILED, FAIL_WAIT, EXPIRED, TIMEOUT
}
