package eu.minivoice.gateway.routing;

import eu.minivoice.gateway.domain.PhoneNumber;
import eu.minivoice.gateway.domain.Trunk;

import java.util.List;

/** What {@link InboundMatcher} concluded about a carrier INVITE (docs/product.md §5), with the reason in words. */
public sealed interface InboundMatch {
    String reason();

    /** Every trunk whose inbound_ip (or contact token) matched the source, before the rules chose. */
    List<Trunk> candidates();

    /**
     * A trunk and where the call goes.
     *
     * @param dialled       the dialled number in E.164
     * @param number        the customer's DID when the number routed the call, else null
     * @param applicationId the DID's application, else the trunk's
     */
    record Routed(Trunk trunk, String dialled, PhoneNumber number, String applicationId, String reason,
                  List<Trunk> candidates) implements InboundMatch {
        public Routed {
            candidates = List.copyOf(candidates);
        }
    }

    /** Refused; {@code sipStatus} 403 (no trunk), 404 (no application) or 484 (bad number). */
    record Refused(int sipStatus, String code, String reason, Trunk trunk, List<Trunk> candidates)
            implements InboundMatch {
        public Refused {
            candidates = List.copyOf(candidates);
        }
    }
}
