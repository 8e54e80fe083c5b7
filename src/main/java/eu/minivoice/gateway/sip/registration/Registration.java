package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.domain.RegistrationSnapshot;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.domain.RegistrationView.RegisterTransaction;
import eu.minivoice.gateway.sip.DigestAnswer;
import eu.minivoice.gateway.sip.DigestChallenge;
import eu.minivoice.gateway.sip.registration.RegistrationContext.Cancellable;
import eu.minivoice.gateway.sip.registration.RegistrationContext.OutgoingRegister;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * One trunk's registration at its carrier: the state machine of docs/product.md §3. Not thread-safe by
 * design: the engine calls every method on its one registration thread.
 *
 * <p>A registration that is valid stays REGED while it is refreshed, even while a refresh is
 * retried, until it lapses (EXPIRED): REGED always means "the carrier has our contact now".
 */
public final class Registration {
    private static final Logger log = LoggerFactory.getLogger(Registration.class);
    /** Granted expiries outside this range are clamped, so a carrier cannot make us spin or sleep a year. */
    static final int MIN_GRANTED = 10;
    static final int MAX_EXPIRES = 86_400;
    /** Refresh at this share of the granted time, and never later than expiry − REFRESH_GUARD. */
    static final double REFRESH_AT = 0.85;
    static final int REFRESH_GUARD_SECONDS = 5;
    /** Consecutive 423 answers tolerated before it counts as a failure. */
    static final int MAX_423_ROUNDS = 3;

    private final RegistrationTarget target;
    private final RegistrationContext ctx;
    private final RegistrationSettings settings;
    private final Deque<RegisterTransaction> timeline = new ArrayDeque<>();

    private RegistrationStatus status = RegistrationStatus.UNREGED;
    private long cseq;
    private long attempt;
    private boolean inFlight;
    private java.time.Instant sentAt;
    private boolean unregistering;
    private boolean stopped;
    private int askedExpires;
    private boolean challengeAnswered;
    private int rounds423;
    private int consecutiveFailures;
    private Integer lastCode;
    private String lastReason;
    private Instant expiresAt;
    private Instant lastRegisteredAt;
    private Instant nextAttemptAt;
    private Cancellable retryTimer;
    private Cancellable answerTimer;
    private Cancellable expiryTimer;
    private Runnable onUnregistered = () -> { };

    public Registration(RegistrationTarget target, RegistrationContext ctx, RegistrationSettings settings) {
        this.target = target;
        this.ctx = ctx;
        this.settings = settings;
        this.askedExpires = Math.min(target.expires(), MAX_EXPIRES);
    }

    public RegistrationTarget target() {
        return target;
    }

    public RegistrationStatus status() {
        return status;
    }

    public RegistrationSnapshot snapshot() {
        return new RegistrationSnapshot(status, lastCode, lastReason, expiresAt, lastRegisteredAt, nextAttemptAt);
    }

    public List<RegisterTransaction> timeline() {
        return List.copyOf(timeline);
    }

    /** Starts registering after {@code delay} (the start-up spread, or zero). */
    public void start(Duration delay) {
        scheduleAttempt(delay);
    }

    /**
     * Stops. With a live registration, un-REGISTERs first (Expires: 0) and calls {@code done} when
     * the carrier answered or gave up; otherwise calls it at once.
     */
    public void stop(boolean unregister, Runnable done) {
        if (stopped) {
            if (unregistering) {
                Runnable first = onUnregistered;
                onUnregistered = () -> {
                    first.run();
                    done.run();
                };
            } else {
                done.run();
            }
            return;
        }
        cancel(retryTimer);
        cancel(expiryTimer);
        stopped = true;
        boolean live = expiresAt != null && ctx.now().isBefore(expiresAt)
                && (status == RegistrationStatus.REGED || status == RegistrationStatus.FAIL_WAIT);
        if (unregister && live) {
            onUnregistered = done;
            unregistering = true;
            challengeAnswered = false;
            askedExpires = 0;
            setState(RegistrationStatus.UNREGISTER, "un-registering");
            send(null, false);
        } else {
            cancel(answerTimer);
            inFlight = false;
            if (status != RegistrationStatus.UNREGED) {
                setState(RegistrationStatus.UNREGED, "stopped");
            }
            done.run();
        }
    }

    /** Whether {@link #stop} was called (it may still be un-registering). */
    public boolean stopped() {
        return stopped;
    }

    /** Whether a REGISTER is awaiting its answer. */
    public boolean inFlight() {
        return inFlight;
    }

    /** When the REGISTER now awaiting its answer was sent (null when none is in flight). */
    public java.time.Instant inFlightSince() {
        return inFlight ? sentAt : null;
    }

    /**
     * The connection closed while a REGISTER awaited its answer (it was written into a closing
     * socket, or the carrier hung up before answering): that answer can never come, so stop
     * waiting for the answer timeout and send again at once on a new connection.
     */
    public void connectionLostWhileWaiting() {
        if (stopped || !inFlight || unregistering) {
            return;
        }
        log.info("trunk {}: connection to {} closed before the answer, registering again", target.trunkId(),
                target.proxy().host());
        cancel(answerTimer);
        ctx.abandon(this);
        inFlight = false;
        attemptNow();
    }

    /** A reliable connection to the proxy closed: register again at once (docs/product.md §3). */
    public void connectionLost() {
        if (!stopped && !inFlight) {
            log.info("trunk {}: connection to {} closed, registering again", target.trunkId(), target.proxy().host());
            cancel(retryTimer);
            attemptNow();
        }
    }

    // ---- outcomes of a REGISTER ----

    public void onResponse(long forAttempt, RegistrarResponse r) {
        if (forAttempt != attempt || !inFlight) {
            return; // an answer to an attempt we already gave up on
        }
        cancel(answerTimer);
        inFlight = false;
        String reason = r.code() + " " + r.reason();
        if (unregistering) {
            if ((r.code() == 401 || r.code() == 407) && !challengeAnswered && answerChallenge(r)) {
                return;
            }
            record(r.code(), reason, null, r.source());
            finishUnregister(reason);
            return;
        }
        if (r.code() >= 200 && r.code() < 300) {
            registered(r, reason);
        } else if (r.code() == 401 || r.code() == 407) {
            challenged(r, reason);
        } else if (r.code() == 423) {
            intervalTooBrief(r, reason);
        } else if (r.code() == 403 || r.code() == 404) {
            record(r.code(), reason, null, r.source());
            failed(r.code(), reason);
        } else {
            record(r.code(), reason, null, r.source());
            failWait(r.code(), reason, r.retryAfter());
        }
    }

    /** No answer in time, or the transport failed. */
    public void onFailure(long forAttempt, String reason, boolean timeout) {
        if (forAttempt != attempt || !inFlight) {
            return;
        }
        cancel(answerTimer);
        inFlight = false;
        record(null, reason, null, target.proxy().host());
        if (unregistering) {
            finishUnregister(reason);
            return;
        }
        if (timeout && status != RegistrationStatus.REGED) {
            lastCode = null;
            lastReason = reason;
            setState(RegistrationStatus.TIMEOUT, reason);
        }
        failWait(null, reason, null);
    }

    private void registered(RegistrarResponse r, String reason) {
        Integer granted = r.contactExpires() != null ? r.contactExpires() : r.expiresHeader();
        String note = "";
        if (!r.ourContactListed()) {
            note = " (our Contact was not listed; using " + (granted == null ? "the asked expiry" : "Expires") + ")";
        }
        int seconds = granted == null ? askedExpires : granted;
        if (seconds <= 0) {
            record(r.code(), reason, 0, r.source());
            failWait(r.code(), reason + ": registrar granted 0 seconds", null);
            return;
        }
        if (seconds < MIN_GRANTED || seconds > MAX_EXPIRES) {
            note += " (granted " + seconds + " s clamped)";
            seconds = Math.max(MIN_GRANTED, Math.min(MAX_EXPIRES, seconds));
        }
        record(r.code(), reason, seconds, r.source());
        Instant now = ctx.now();
        consecutiveFailures = 0;
        rounds423 = 0;
        lastCode = r.code();
        lastReason = reason + note;
        lastRegisteredAt = now;
        expiresAt = now.plusSeconds(seconds);
        if (status != RegistrationStatus.REGED) {
            setState(RegistrationStatus.REGED, "registered for " + seconds + " s" + note);
        }
        long refreshIn = (long) Math.min(seconds * REFRESH_AT, seconds - REFRESH_GUARD_SECONDS);
        // Up to 10 % earlier, so thousands of trunks registered together do not refresh together.
        refreshIn = Math.max(1, (long) (refreshIn * (1 - 0.1 * ctx.random())));
        scheduleAttempt(Duration.ofSeconds(refreshIn));
        cancel(expiryTimer);
        expiryTimer = ctx.schedule(Duration.ofSeconds(seconds), this::lapsed);
    }

    private void challenged(RegistrarResponse r, String reason) {
        record(r.code(), reason, null, r.source());
        if (!r.fromProxy()) {
            // Digest-leak guard: a challenge from anyone but the trunk's proxy gets no credentials.
            failWait(r.code(), "challenge from " + r.source() + ", not the trunk's proxy: credentials withheld", null);
            return;
        }
        if (target.password() == null) {
            failed(r.code(), reason + ": the carrier asks for credentials but the trunk has no password");
            return;
        }
        DigestChallenge best = DigestChallenge.strongest(r.challenges());
        if (best == null) {
            failWait(r.code(), reason + ": no usable Digest challenge (unsupported algorithm or malformed header)", null);
            return;
        }
        if (challengeAnswered && !best.stale()) {
            failed(r.code(), reason + ": credentials rejected");
            return;
        }
        if (!answerChallenge(r)) {
            failWait(r.code(), reason + ": challenge could not be answered", null);
            return;
        }
        if (status == RegistrationStatus.TRYING || status == RegistrationStatus.EXPIRED) {
            setState(RegistrationStatus.REGISTER, "answering " + best.effectiveAlgorithm().token() + " challenge");
        }
    }

    /** Sends the same REGISTER again with a Digest answer; false when there is nothing to answer with. */
    private boolean answerChallenge(RegistrarResponse r) {
        DigestChallenge best = DigestChallenge.strongest(r.challenges());
        if (best == null || target.password() == null || !r.fromProxy()) {
            return false;
        }
        DigestAnswer answer = DigestAnswer.compute(best, target.username(), target.password(), "REGISTER",
                "sip:" + target.registrarDomain(), null, ctx.cnonce(), 1);
        challengeAnswered = true;
        send(answer.headerValue(), best.proxy());
        return true;
    }

    private void intervalTooBrief(RegistrarResponse r, String reason) {
        record(r.code(), reason, null, r.source());
        int next = r.minExpires() != null && r.minExpires() > askedExpires ? r.minExpires() : askedExpires * 2;
        if (++rounds423 > MAX_423_ROUNDS || next > MAX_EXPIRES) {
            failWait(r.code(), reason + ": no acceptable expiry (asked " + askedExpires + " s)", null);
            return;
        }
        askedExpires = next;
        log.info("trunk {}: 423, asking {} s", target.trunkId(), next);
        challengeAnswered = false;
        if (status == RegistrationStatus.REGISTER) {
            setState(RegistrationStatus.TRYING, "423 Interval Too Brief: retrying with " + next + " s");
        }
        send(null, false);
    }

    private void failed(int code, String reason) {
        lastCode = code;
        lastReason = reason;
        consecutiveFailures++;
        if (status != RegistrationStatus.FAILED) {
            setState(RegistrationStatus.FAILED, reason);
        }
        scheduleAttempt(settings.failedRetry());
    }

    private void failWait(Integer code, String reason, Integer retryAfter) {
        lastCode = code;
        lastReason = reason;
        consecutiveFailures++;
        Duration delay = backoff();
        if (retryAfter != null && retryAfter > 0) {
            delay = Duration.ofSeconds(Math.min(Math.max(retryAfter, delay.toSeconds()), settings.backoffMax().toSeconds()));
        }
        boolean stillValid = status == RegistrationStatus.REGED && expiresAt != null && ctx.now().isBefore(expiresAt);
        if (stillValid) {
            // Keep REGED; retry before the registration lapses if we can.
            Duration left = Duration.between(ctx.now(), expiresAt).minusSeconds(1);
            if (left.compareTo(delay) < 0) {
                delay = left.isNegative() ? Duration.ZERO : left;
            }
        } else {
            if (status == RegistrationStatus.REGED) {
                setState(RegistrationStatus.EXPIRED, "registration lapsed without a successful refresh");
            }
            if (status != RegistrationStatus.FAIL_WAIT) {
                setState(RegistrationStatus.FAIL_WAIT, reason);
            }
        }
        scheduleAttempt(delay);
    }

    /** Capped exponential backoff with "equal jitter": uniform in [d/2, d]. */
    Duration backoff() {
        long min = settings.backoffMin().toMillis();
        long max = settings.backoffMax().toMillis();
        int exp = Math.min(consecutiveFailures - 1, 30);
        long d = Math.min(max, min * (1L << Math.max(0, exp)));
        return Duration.ofMillis(d / 2 + (long) (ctx.random() * (d - d / 2)));
    }

    private void lapsed() {
        if (stopped || status != RegistrationStatus.REGED) {
            return;
        }
        setState(RegistrationStatus.EXPIRED, "registration lapsed without a successful refresh");
        if (!inFlight) {
            cancel(retryTimer);
            attemptNow();
        }
    }

    private void finishUnregister(String reason) {
        unregistering = false;
        expiresAt = null;
        setState(RegistrationStatus.UNREGED, "un-registered (" + reason + ")");
        onUnregistered.run();
    }

    // ---- sending ----

    private void scheduleAttempt(Duration delay) {
        cancel(retryTimer);
        nextAttemptAt = ctx.now().plus(delay);
        retryTimer = ctx.schedule(delay, this::attemptNow);
    }

    private void attemptNow() {
        if (stopped) {
            return;
        }
        nextAttemptAt = null;
        challengeAnswered = false;
        rounds423 = 0;
        if (status != RegistrationStatus.REGED && status != RegistrationStatus.TRYING) {
            setState(RegistrationStatus.TRYING, "sending REGISTER to " + target.proxy().host());
        }
        send(null, false);
    }

    private void send(String authorization, boolean proxyAuth) {
        attempt++;
        cseq++;
        inFlight = true;
        sentAt = ctx.now();
        cancel(answerTimer);
        long thisAttempt = attempt;
        answerTimer = ctx.schedule(settings.answerTimeout(), () -> {
            ctx.abandon(this); // stop the stack retransmitting a REGISTER we no longer wait for
            onFailure(thisAttempt, "no answer in " + settings.answerTimeout().toSeconds() + " s", true);
        });
        ctx.send(this, new OutgoingRegister(attempt, cseq, askedExpires, authorization, proxyAuth));
    }

    private void record(Integer code, String reason, Integer granted, String source) {
        timeline.addLast(new RegisterTransaction(ctx.now(), code, reason, granted, source));
        while (timeline.size() > settings.timelineSize()) {
            timeline.removeFirst();
        }
    }

    private void setState(RegistrationStatus to, String reason) {
        RegistrationStatus from = status;
        if (!RegistrationTransitions.allowed(from, to)) {
            throw new IllegalStateException("trunk " + target.trunkId() + ": illegal transition " + from + " -> " + to);
        }
        status = to;
        log.info("trunk {} registration {} -> {} ({})", target.trunkId(), from, to, reason);
        ctx.statusChanged(this, from, to, reason);
    }

    private static void cancel(Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }
}
