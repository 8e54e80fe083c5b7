package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.sip.DigestChallenge;

import java.util.List;

/**
 * A final answer to one of our REGISTERs, reduced to what the state machine decides on.
 *
 * @param contactExpires   the expires param of our own Contact in a 2xx, or null
 * @param ourContactListed whether a 2xx listed our Contact at all
 * @param expiresHeader    the Expires header, or null
 * @param minExpires       Min-Expires of a 423, or null
 * @param retryAfter       Retry-After seconds, or null
 * @param fromProxy        whether it came from one of the trunk's proxy addresses (digest-leak guard)
 * @param source           the address it came from, for reasons and the timeline
 */
public record RegistrarResponse(int code, String reason, List<DigestChallenge> challenges, Integer contactExpires,
                                boolean ourContactListed, Integer expiresHeader, Integer minExpires,
                                Integer retryAfter, boolean fromProxy, String source) {
    public RegistrarResponse {
        challenges = List.copyOf(challenges);
    }
}
