package eu.minivoice.gateway.sip;

/**
 * What the SIP stack holds at one moment: transactions by side and dialogs. A finished call's
 * transactions stay for their RFC 3261 timers (up to 32 s over UDP, none over TCP) and its dialogs
 * for a 2 s linger; past that, a count that only grows is a leak. {@code queueDelayMillis}: how
 * long the message taken last had waited for a SIP worker (0 when idle).
 */
public record SipStackLoad(int serverTransactions, int clientTransactions, int dialogs, long queueDelayMillis) {
}
