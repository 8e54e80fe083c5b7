package eu.minivoice.gateway.domain;

/** Result of OPTIONS keep-alive pings; UNKNOWN until pinging is on and has an answer. */
public enum TrunkHealth {
    UP, DOWN, UNKNOWN
}
