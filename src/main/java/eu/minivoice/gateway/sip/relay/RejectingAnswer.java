package eu.minivoice.gateway.sip.relay;

import javax.sdp.MediaDescription;
import javax.sdp.SdpException;
import javax.sdp.SdpFactory;
import javax.sdp.SessionDescription;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An SDP answer that declines every stream of an offer (RFC 3264 §6: each m-line answered with
 * port 0). A 2xx that carried an offer must be ACKed with an answer even when the call is not
 * going ahead (RFC 3725 §4, a placed call whose platform did not answer): this is that answer.
 */
final class RejectingAnswer {
    private RejectingAnswer() {
    }

    /** @return the answer, or null when the offer is not SDP the stack's parser accepts */
    static byte[] to(byte[] offer) {
        if (offer == null || offer.length == 0) {
            return null;
        }
        try {
            SdpFactory sdp = SdpFactory.getInstance();
            SessionDescription session = sdp.createSessionDescription(new String(offer, StandardCharsets.UTF_8));
            // The answerer's own origin: ours, a fresh session (the address is informational).
            session.setOrigin(sdp.createOrigin("minivoice", 1, 1, "IN", "IP4", "0.0.0.0"));
            @SuppressWarnings("unchecked")
            List<MediaDescription> media = session.getMediaDescriptions(false);
            if (media == null || media.isEmpty()) {
                return null;
            }
            for (MediaDescription m : media) {
                m.getMedia().setMediaPort(0);
            }
            return session.toString().getBytes(StandardCharsets.UTF_8);
        } catch (SdpException | RuntimeException e) {
            return null;
        }
    }
}
