package eu.minivoice.gateway.sip;

import eu.minivoice.gateway.domain.IpRange;
import eu.minivoice.gateway.domain.RandomIdGenerator;
import gov.nist.javax.sip.RequestEventExt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The SIP listener for both sides. It decides and returns at once (no I/O on stack threads).
 *
 * <p>Policy: on the internal side a source outside sip.trusted_cidrs gets 403 whatever it sends;
 * a trusted new INVITE goes to the {@link CallHandler} (the outbound relay), as do requests of its
 * calls (ACK, BYE, CANCEL, …). A new INVITE on the external side goes to inbound matching
 * ({@link CarrierInviteHandler}). OPTIONS → 200 with our capabilities; BYE and CANCEL outside any
 * call → 481; other methods → 405.
 */
public final class SipEdge implements gov.nist.javax.sip.SipListenerExt {
    private static final Logger log = LoggerFactory.getLogger(SipEdge.class);
    static final String ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, PRACK";

    private final List<IpRange> trusted;
    private final RandomIdGenerator random;
    private final CallHandler relay;
    private final CarrierInviteHandler inbound;
    private SipServer server;

    public SipEdge(List<IpRange> trusted, RandomIdGenerator random) {
        this(trusted, random, null);
    }

    /** @param relay the outbound B2BUA for platform INVITEs; null keeps refusing them with 403 */
    public SipEdge(List<IpRange> trusted, RandomIdGenerator random, CallHandler relay) {
        this(trusted, random, relay, null);
    }

    /** @param inbound matching of carrier INVITEs; null keeps refusing them with 403 */
    public SipEdge(List<IpRange> trusted, RandomIdGenerator random, CallHandler relay, CarrierInviteHandler inbound) {
        this(trusted, random, relay, inbound, SipCounters.NONE);
    }

    /** @param counters requests by side and method, for the metrics */
    public SipEdge(List<IpRange> trusted, RandomIdGenerator random, CallHandler relay, CarrierInviteHandler inbound,
                   SipCounters counters) {
        this(trusted, random, relay, inbound, counters, () -> -1, () -> false);
    }

    /**
     * @param draining while the gateway drains: the Retry-After seconds for new calls (each gets
     *                 503 on either side); -1 while it takes calls
     * @param behind   true while the SIP workers are too far behind to take new calls (each gets 503)
     */
    public SipEdge(List<IpRange> trusted, RandomIdGenerator random, CallHandler relay, CarrierInviteHandler inbound,
                   SipCounters counters, java.util.function.IntSupplier draining,
                   java.util.function.BooleanSupplier behind) {
        this.draining = draining;
        this.behind = behind;
        this.counters = counters;
        this.trusted = List.copyOf(trusted);
        this.random = random;
        this.relay = relay;
        this.inbound = inbound;
    }

    private final SipCounters counters;
    private final java.util.function.IntSupplier draining;
    private final java.util.function.BooleanSupplier behind;
    /** The relay's error header (CallRelay.ERROR_HEADER; named here: sip does not depend on sip.relay). */
    private static final String OVERLOAD_HEADER = "X-MiniVoice-Error";
    private static final String OVERLOADED = eu.minivoice.gateway.domain.ErrorCode.OVERLOADED.code();
    /** One warning per 10 s while new calls are refused for overload. */
    private final eu.minivoice.gateway.sip.logging.LogThrottle overloadLog =
            new eu.minivoice.gateway.sip.logging.LogThrottle(java.util.concurrent.TimeUnit.SECONDS.toNanos(10));

    void bind(SipServer server) {
        this.server = server;
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        SipSide side = server.sideOf(event.getSource());
        counters.request(side, method);
        boolean internal = side == SipSide.INTERNAL;
        if (internal && !isTrusted(event)) {
            if (!Request.ACK.equals(method)) {
                log.info("internal side: {} from untrusted source {} refused", method, remote(event));
                respond(event, Response.FORBIDDEN, r -> { });
            }
            return;
        }
        if (!Request.ACK.equals(method) && missingHeader(event) != null) {
            return;
        }
        try {
            boolean dialogStart = Request.INVITE.equals(method)
                    && ((ToHeader) request.getHeader(ToHeader.NAME)).getTag() == null;
            int retryAfter = dialogStart ? draining.getAsInt() : -1;
            if (retryAfter >= 0) {
                // Shutting down: the peer should try another gateway now (RFC 3261 §21.5.4).
                respond(event, Response.SERVICE_UNAVAILABLE, r -> {
                    try {
                        r.addHeader(server.headerFactory().createRetryAfterHeader(retryAfter));
                    } catch (javax.sip.InvalidArgumentException e) {
                        // a negative value is never passed here
                    }
                });
                return;
            }
            if (dialogStart && behind.getAsBoolean()) {
                // Overloaded: a quick refusal, so the peer tries elsewhere instead of retransmitting
                // into a backlog that only grows (docs/sip.md, "Overload"). No call, no event.
                counters.overloadRefused(side);
                long before = overloadLog.occurred();
                if (before >= 0) {
                    log.warn("SIP overload: new calls answered 503 (the SIP workers are behind); {} more since the last warning",
                            before);
                }
                respond(event, Response.SERVICE_UNAVAILABLE, r -> {
                    if (internal) { // the platform gets the code of the error vocabulary; a carrier a plain 503
                        try {
                            r.addHeader(server.headerFactory().createHeader(OVERLOAD_HEADER, OVERLOADED));
                        } catch (java.text.ParseException e) {
                            throw new IllegalStateException(e); // constant values: cannot fail
                        }
                    }
                });
                return;
            }
            if (relay != null && internal && dialogStart) {
                relay.onPlatformInvite(event);
                return;
            }
            if (inbound != null && !internal && dialogStart) {
                inbound.onCarrierInvite(event);
                return;
            }
            if (relay != null && !dialogStart && !Request.OPTIONS.equals(method) && relay.onRequest(event, internal)) {
                return;
            }
        } catch (TransactionAlreadyExistsException e) {
            log.debug("retransmitted {} absorbed", method);
            return;
        } catch (Exception e) {
            log.warn("{} from {}: relay failure: {}", method, remote(event), e.toString());
            if (!Request.ACK.equals(method)) {
                respond(event, Response.SERVER_INTERNAL_ERROR, r -> { });
            }
            return;
        }
        switch (method) {
            case Request.ACK -> { } // ACKs of our final non-2xx answers are absorbed by their transactions
            case Request.OPTIONS -> respond(event, Response.OK, this::capabilities);
            case Request.INVITE -> respond(event, Response.FORBIDDEN, r -> { });
            case Request.BYE, Request.CANCEL -> respond(event, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, r -> { });
            default -> respond(event, Response.METHOD_NOT_ALLOWED, this::capabilities);
        }
    }

    /**
     * RFC 3261 §8.1.1 headers (and Contact in an INVITE): the stack parses a request without them
     * but refuses to make a transaction for it, so it would go unanswered. Answered here with a
     * stateless 400 naming the header. @return the problem, or null when the request is complete
     */
    private String missingHeader(RequestEvent event) {
        try {
            ((gov.nist.javax.sip.message.SIPRequest) event.getRequest()).checkHeaders();
            return null;
        } catch (java.text.ParseException e) {
            log.debug("{} from {} refused: {}", event.getRequest().getMethod(), remote(event), e.getMessage());
            try {
                Response r = server.messageFactory().createResponse(Response.BAD_REQUEST, event.getRequest());
                r.setReasonPhrase(e.getMessage().replaceAll("[^ -~]", "?"));
                ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
                if (to != null && to.getTag() == null) {
                    to.setTag(random.randomToken(10));
                }
                ((SipProvider) event.getSource()).sendResponse(r);
            } catch (Exception unanswerable) {
                log.debug("no 400 possible: {}", unanswerable.toString());
            }
            return e.getMessage();
        }
    }

    private boolean isTrusted(RequestEvent event) {
        try {
            InetAddress source = InetAddress.getByName(remote(event)); // a numeric literal: no DNS
            return trusted.stream().anyMatch(r -> r.contains(source));
        } catch (UnknownHostException | RuntimeException e) {
            return false;
        }
    }

    private static String remote(RequestEvent event) {
        return ((RequestEventExt) event).getRemoteIpAddress();
    }

    private void capabilities(Response r) {
        try {
            r.addHeader(server.headerFactory().createAllowHeader(ALLOW));
            r.addHeader(server.headerFactory().createAcceptHeader("application", "sdp"));
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e); // constant values: cannot fail
        }
    }

    /** Answers statefully, so retransmitted requests get the same answer from the transaction layer. */
    private void respond(RequestEvent event, int status, Consumer<Response> decorate) {
        Request request = event.getRequest();
        try {
            ServerTransaction tx = event.getServerTransaction();
            if (tx == null) {
                tx = ((SipProvider) event.getSource()).getNewServerTransaction(request);
            }
            Response response = server.messageFactory().createResponse(status, request);
            ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
            if (to != null && to.getTag() == null) {
                to.setTag(random.randomToken(10)); // RFC 3261 §8.2.6.2: final answers carry a To tag
            }
            response.addHeader(server.headerFactory().createServerHeader(List.of("MiniVoice-Gateway")));
            decorate.accept(response);
            tx.sendResponse(response);
        } catch (TransactionAlreadyExistsException e) {
            log.debug("retransmitted {} absorbed", request.getMethod());
        } catch (Exception e) {
            log.warn("cannot answer {} from {}: {}", request.getMethod(), remote(event), e.toString());
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        if (event.getClientTransaction() != null
                && event.getClientTransaction().getApplicationData() instanceof TransactionCallback callback) {
            callback.onResponse(event);
            return;
        }
        // No transaction of ours: a retransmitted final answer or a stray; nothing to do.
        log.debug("stray response {} dropped", event.getResponse().getStatusCode());
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            log.debug("server transaction timeout ({})", event.getTimeout());
        } else if (event.getClientTransaction() != null
                && event.getClientTransaction().getApplicationData() instanceof TransactionCallback callback) {
            callback.onTimeout();
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        log.debug("SIP I/O error towards {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
        // The stack raises it with the failed transaction as the source (SIPTransactionImpl).
        if (event.getSource() instanceof javax.sip.ClientTransaction ct
                && ct.getApplicationData() instanceof TransactionCallback callback) {
            callback.onTransportError("transport error towards " + event.getHost() + ":" + event.getPort() + "/" + event.getTransport());
        }
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // Nothing is kept per transaction here: a callback lives as the transaction's application
        // data and goes with it.
    }

    /**
     * Being a {@code SipListenerExt} makes the stack report its dialog timeouts here instead of
     * deleting those dialogs silently (which left their calls up, slots held, until
     * relay.max_call_seconds, and their BYEs impossible). An answered call whose 2xx was not ACKed
     * within 64·T1 ends (both legs get a BYE, docs/relay.md); the dialog is deleted in every case, as
     * the stack would have done.
     */
    @Override
    public void processDialogTimeout(gov.nist.javax.sip.DialogTimeoutEvent event) {
        javax.sip.Dialog dialog = event.getDialog();
        if (dialog == null) {
            return;
        }
        try {
            if (relay != null && event.getReason() != gov.nist.javax.sip.DialogTimeoutEvent.Reason.EarlyStateTimeout
                    && event.getSource() instanceof SipProvider provider) {
                boolean internal = server.sideOf(provider) == SipSide.INTERNAL;
                if (!relay.onDialogTimeout(dialog, provider, internal)) {
                    log.debug("dialog timeout ({}) of no call in progress", event.getReason());
                }
            }
        } catch (Exception e) {
            log.warn("dialog timeout ({}): relay failure: {}", event.getReason(), e.toString());
        } finally {
            dialog.delete();
        }
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        // The relay creates its dialogs explicitly (AUTOMATIC_DIALOG_SUPPORT=off) and ends its
        // calls on BYE, CANCEL, failures and timers (Teardown), never on this event; the stack
        // frees the dialog itself.
    }
}
