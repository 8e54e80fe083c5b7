package eu.minivoice.gateway.sip.relay;

import eu.minivoice.gateway.sip.SipServer;
import eu.minivoice.gateway.sip.TransactionCallback;
import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.SipTarget;
import eu.minivoice.gateway.sip.dns.SipLocator;
import eu.minivoice.gateway.sip.net.ConnectGate;
import gov.nist.javax.sip.ResponseEventExt;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** {@link RelayContext} on the JAIN-SIP stack: transactions, dialogs and the connect gate. */
final class JainSipRelayContext implements RelayContext {
    private final SipServer sip;
    private final ConnectGate gate;
    private final SipLocator locator;
    private final Clock clock;
    private final ScheduledExecutorService timers;

    /** @param timers one thread is plenty: the tasks only take a call's monitor and send */
    JainSipRelayContext(SipServer sip, ConnectGate gate, SipLocator locator, Clock clock, ScheduledExecutorService timers) {
        this.locator = locator;
        this.sip = sip;
        this.gate = gate;
        this.clock = clock;
        this.timers = timers;
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public MessageFactory messages() {
        return sip.messageFactory();
    }

    @Override
    public HeaderFactory headers() {
        return sip.headerFactory();
    }

    @Override
    public AddressFactory addresses() {
        return sip.addressFactory();
    }

    @Override
    public Local local(boolean internal, String transport, boolean ipv6) {
        return new Local(sip.advertisedAddress(internal, ipv6),
                internal ? sip.config().internalPort() : sip.externalPort(transport.toLowerCase(Locale.ROOT)));
    }

    @Override
    public CallIdHeader newCallId(boolean internal) {
        return provider(internal).getNewCallId();
    }

    @Override
    public InviteWire sendInvite(boolean internal, Request invite, Answers answers) throws Exception {
        // Built for an IPv6 peer (our Via names our IPv6 address): it leaves from the side's IPv6 point.
        SipProvider provider = sip.provider(internal, RelayContext.ipv6(((javax.sip.header.ViaHeader)
                invite.getHeader(javax.sip.header.ViaHeader.NAME)).getHost()));
        return started(provider, provider.getNewClientTransaction(invite), answers);
    }

    @Override
    public InviteWire sendInvite(Request invite, Answers answers, SipTarget server, String proxyHost) throws Exception {
        return started(sip.provider(false, server.address()), sip.clientTransaction(invite, server, proxyHost), answers);
    }

    @Override
    public CompletableFuture<List<SipTarget>> locate(ProxyAddress proxy) {
        return locator.locate(proxy);
    }

    private InviteWire started(SipProvider provider, ClientTransaction ct, Answers answers) throws Exception {
        ct.setApplicationData(callback(answers, provider));
        Dialog dialog = provider.getNewDialog(ct);
        ct.sendRequest();
        DialogWire dialogWire = new JainDialog(dialog, provider);
        return new InviteWire() {
            @Override
            public DialogWire dialog() {
                return dialogWire;
            }

            @Override
            public void cancel() throws Exception {
                provider.getNewClientTransaction(ct.createCancel()).sendRequest();
            }

            @Override
            public void abandon() {
                try {
                    ct.terminate();
                } catch (Exception e) {
                    // already over
                }
            }
        };
    }

    @Override
    public void whenReachable(String customerId, String transport, String host, int port, Send send,
                              Consumer<String> failed) {
        gate.send(customerId, transport, host, port, send::run, failed);
    }

    private SipProvider provider(boolean internal) {
        return internal ? sip.internalProvider() : sip.externalProvider();
    }

    /** The wire of a dialog the stack reports on; equal to the one a leg holds for the same dialog. */
    static DialogWire wire(Dialog dialog, SipProvider provider) {
        return new JainDialog(dialog, provider);
    }

    /** The relay's view of a request the stack delivered. */
    static Incoming incoming(RequestEvent event, boolean internal) {
        return new Incoming(event.getRequest(), internal, new JainServerWire(event));
    }

    /**
     * The stack keeps a completed transaction (and its application data) for up to 32 s to absorb
     * retransmissions; the callback lets go of the relay's objects at the transaction's first
     * final answer, timeout or transport error, so an ended call is not kept alive that long.
     */
    private static TransactionCallback callback(Answers answers, SipProvider provider) {
        return new TransactionCallback() {
            private volatile Answers target = answers;

            @Override
            public void onResponse(ResponseEvent e) {
                Answers a = target;
                if (a == null) {
                    return;
                }
                if (e.getResponse().getStatusCode() >= 200) {
                    target = null;
                }
                String remote = e instanceof ResponseEventExt ext ? ext.getRemoteIpAddress() : null;
                a.onResponse(new Answer(e.getResponse(),
                        e.getDialog() == null ? null : new JainDialog(e.getDialog(), provider), remote));
            }

            @Override
            public void onTimeout() {
                Answers a = target;
                target = null;
                if (a != null) {
                    a.onTimeout();
                }
            }

            @Override
            public void onTransportError(String reason) {
                Answers a = target;
                target = null;
                if (a != null) {
                    a.onTransportError();
                }
            }
        };
    }

    private record JainDialog(Dialog dialog, SipProvider provider) implements DialogWire {
        @Override
        public Request newRequest(String method) throws Exception {
            return dialog.createRequest(method);
        }

        @Override
        public void send(Request request, Answers answers) throws Exception {
            ClientTransaction ct = provider.getNewClientTransaction(request);
            if (answers != null) {
                ct.setApplicationData(callback(answers, provider));
            }
            dialog.sendRequest(ct);
        }

        @Override
        public void ack(long cseq, Message bodyFrom) throws Exception {
            Request ack = dialog.createAck(cseq);
            if (bodyFrom != null) {
                LegRequests.copyBody(bodyFrom, ack);
            }
            dialog.sendAck(ack);
        }

        @Override
        public void prack(Response reliable) throws Exception {
            dialog.sendRequest(provider.getNewClientTransaction(dialog.createPrack(reliable)));
        }
    }

    private static final class JainServerWire implements ServerWire {
        private final RequestEvent event;
        private ServerTransaction tx;

        JainServerWire(RequestEvent event) {
            this.event = event;
            this.tx = event.getServerTransaction();
        }

        @Override
        public synchronized void open() throws Exception {
            if (tx == null) {
                tx = ((SipProvider) event.getSource()).getNewServerTransaction(event.getRequest());
            }
        }

        @Override
        public void respond(Response response) throws Exception {
            open();
            tx.sendResponse(response);
        }

        @Override
        public DialogWire dialog() throws Exception {
            open();
            SipProvider provider = (SipProvider) event.getSource();
            return new JainDialog(provider.getNewDialog(tx), provider);
        }
    }
}
