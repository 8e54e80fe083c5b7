package eu.minivoice.gateway.sip.relay;

import javax.sip.address.SipURI;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Response;
import java.util.Locale;

/**
 * Answers to the caller's INVITE, made one way: our To tag, {@code X-MiniVoice-Call-Id} towards
 * the platform (never towards a carrier), our Contact on answers that establish a dialog, and for
 * a final failure the {@link EndCause}'s {@code X-MiniVoice-Error} and {@code Retry-After}.
 */
final class CallerAnswers {
    /** Extra headers of one answer (Unsupported, a redirect's Contact, a reason phrase). */
    @FunctionalInterface
    interface Decoration {
        void apply(Response r) throws Exception;
    }

    private final RelayContext ctx;

    CallerAnswers(RelayContext ctx) {
        this.ctx = ctx;
    }

    Response create(RelayCall call, int code) throws Exception {
        return ctx.messages().createResponse(code, call.caller.invite);
    }

    void send(RelayCall call, Response r) throws Exception {
        decorate(call, r);
        call.caller.inviteTx.respond(r);
    }

    /** The final answer of a call that ends without being answered. */
    void sendFinal(RelayCall call, EndCause cause, Decoration extra) throws Exception {
        Response r = create(call, cause.sipCode());
        extra.apply(r);
        if (call.outbound() && cause.error() != null) {
            r.addHeader(ctx.headers().createHeader(CallRelay.ERROR_HEADER, cause.error().code()));
        }
        if (cause.error() == eu.minivoice.gateway.domain.ErrorCode.UNSUPPORTED_MEDIA_TYPE) {
            r.addHeader(ctx.headers().createAcceptHeader("application", "sdp"));
        }
        if (cause.retryAfter() != null) {
            r.addHeader(ctx.headers().createRetryAfterHeader(cause.retryAfter()));
        }
        send(call, r);
    }

    private void decorate(RelayCall call, Response r) throws Exception {
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        if (to.getTag() == null && r.getStatusCode() > 100) {
            to.setTag(call.callerToTag);
        }
        if (call.outbound() && r.getHeader(CallRelay.CALL_ID_HEADER) == null) {
            r.addHeader(ctx.headers().createHeader(CallRelay.CALL_ID_HEADER, call.id));
        }
        if (r.getStatusCode() < 300 && r.getStatusCode() > 100) {
            ViaHeader via = (ViaHeader) call.caller.invite.getHeader(ViaHeader.NAME);
            contact(r, call.caller.internal, via.getTransport(), RelayContext.ipv6(via.getHost()));
        }
    }

    /** Our Contact on the given side, for answers that establish or refresh a dialog. */
    void contact(Message m, boolean internal, String transport, boolean ipv6) throws Exception {
        String t = transport.toLowerCase(Locale.ROOT);
        RelayContext.Local local = ctx.local(internal, t, ipv6);
        SipURI uri = ctx.addresses().createSipURI("mv", local.host());
        uri.setPort(local.port());
        uri.setTransportParam(t);
        m.setHeader(ctx.headers().createContactHeader(ctx.addresses().createAddress(uri)));
    }
}
