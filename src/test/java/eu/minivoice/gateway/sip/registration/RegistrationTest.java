package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.domain.ProxyAddress;
import eu.minivoice.gateway.domain.RegistrationStatus;
import eu.minivoice.gateway.sip.DigestChallenge;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static eu.minivoice.gateway.domain.RegistrationStatus.EXPIRED;
import static eu.minivoice.gateway.domain.RegistrationStatus.FAILED;
import static eu.minivoice.gateway.domain.RegistrationStatus.FAIL_WAIT;
import static eu.minivoice.gateway.domain.RegistrationStatus.REGED;
import static eu.minivoice.gateway.domain.RegistrationStatus.REGISTER;
import static eu.minivoice.gateway.domain.RegistrationStatus.TRYING;
import static eu.minivoice.gateway.domain.RegistrationStatus.UNREGED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registration state machine driven by hand: no sockets, no sleeping. */
class RegistrationTest {
    private final FakeRegistrationContext ctx = new FakeRegistrationContext();
    private final RegistrationSettings settings = new RegistrationSettings(Duration.ofSeconds(32), Duration.ofSeconds(4),
            Duration.ofSeconds(64), Duration.ofSeconds(600), Duration.ofSeconds(20), 5, Duration.ofSeconds(5), 3, 2, Duration.ofSeconds(5));
    private final Registration reg = new Registration(new RegistrationTarget("trunk_a", "cust_default", "1001", "pw",
            "sip.example.net", "sip.example.net", ProxyAddress.parse("203.0.113.1"), 300, "gw+trunk_a"), ctx, settings);

    private static final DigestChallenge MD5 = new DigestChallenge("sip.example.net", "nonce1", null, "MD5",
            List.of("auth"), false, false);

    private static RegistrarResponse answer(int code) {
        return new RegistrarResponse(code, "Reason", List.of(), null, false, null, null, null, true, "203.0.113.1");
    }

    private static RegistrarResponse challenge(DigestChallenge c) {
        return new RegistrarResponse(401, "Unauthorized", List.of(c), null, false, null, null, null, true, "203.0.113.1");
    }

    private static RegistrarResponse ok(Integer contactExpires) {
        return new RegistrarResponse(200, "OK", List.of(), contactExpires, contactExpires != null, null, null, null, true,
                "203.0.113.1");
    }

    private long attempt() {
        return ctx.last().attempt();
    }

    private void startAndSend() {
        reg.start(Duration.ZERO);
        ctx.advance(Duration.ZERO);
        assertEquals(TRYING, reg.status());
    }

    @Test
    void registersAfterADigestChallengeAndRefreshesBeforeExpiry() {
        startAndSend();
        assertNull(ctx.last().authorization());
        assertEquals(300, ctx.last().expires());
        reg.onResponse(attempt(), challenge(MD5));
        assertEquals(REGISTER, reg.status());
        assertTrue(ctx.last().authorization().startsWith("Digest username=\"1001\", realm=\"sip.example.net\""));
        assertTrue(ctx.last().authorization().contains("uri=\"sip:sip.example.net\""));
        assertEquals(2, ctx.last().cseq(), "CSeq increases");
        reg.onResponse(attempt(), ok(120));
        assertEquals(REGED, reg.status());
        assertEquals(ctx.now.plusSeconds(120), reg.snapshot().expiresAt());
        assertEquals(200, reg.snapshot().lastCode());
        // Refresh at min(0.85 × 120, 120 − 5) = 102 s (random 0 → no jitter).
        int before = ctx.sent.size();
        ctx.advance(Duration.ofSeconds(101));
        assertEquals(before, ctx.sent.size());
        ctx.advance(Duration.ofSeconds(1));
        assertEquals(before + 1, ctx.sent.size(), "refresh sent before expiry");
        assertEquals(REGED, reg.status(), "a refresh keeps REGED while the registration is valid");
        assertEquals(List.of("UNREGED->TRYING", "TRYING->REGISTER", "REGISTER->REGED"), ctx.transitions);
    }

    @Test
    void aSecondChallengeForTheSameCredentialsIsACredentialsFailure() {
        startAndSend();
        reg.onResponse(attempt(), challenge(MD5));
        reg.onResponse(attempt(), challenge(MD5));
        assertEquals(FAILED, reg.status());
        assertTrue(reg.snapshot().lastReason().contains("credentials rejected"));
        // Never a silent permanent stop: retried on the long interval.
        int before = ctx.sent.size();
        assertEquals(Duration.ofSeconds(600), ctx.nextTimerIn());
        ctx.advance(Duration.ofSeconds(600));
        assertEquals(before + 1, ctx.sent.size());
        assertEquals(TRYING, reg.status());
    }

    @Test
    void aStaleChallengeIsAnsweredAgain() {
        startAndSend();
        reg.onResponse(attempt(), challenge(MD5));
        DigestChallenge stale = new DigestChallenge("sip.example.net", "nonce2", null, "MD5", List.of("auth"), true, false);
        reg.onResponse(attempt(), challenge(stale));
        assertEquals(REGISTER, reg.status());
        assertTrue(ctx.last().authorization().contains("nonce=\"nonce2\""));
        reg.onResponse(attempt(), ok(300));
        assertEquals(REGED, reg.status());
    }

    @Test
    void proxyChallengeIsAnsweredWithProxyAuthorization() {
        startAndSend();
        DigestChallenge p = new DigestChallenge("sip.example.net", "n", null, "SHA-256", List.of("auth"), false, true);
        reg.onResponse(attempt(), new RegistrarResponse(407, "Proxy Authentication Required", List.of(p), null, false,
                null, null, null, true, "203.0.113.1"));
        assertTrue(ctx.last().proxyAuthorization());
        assertTrue(ctx.last().authorization().contains("algorithm=SHA-256"));
    }

    @Test
    void credentialsAreNotSentToAChallengeFromAnotherHost() {
        startAndSend();
        reg.onResponse(attempt(), new RegistrarResponse(401, "Unauthorized", List.of(MD5), null, false, null, null, null,
                false, "198.51.100.66"));
        assertEquals(FAIL_WAIT, reg.status());
        assertEquals(1, ctx.sent.size(), "no answer with credentials");
        assertTrue(reg.snapshot().lastReason().contains("credentials withheld"));
    }

    @Test
    void intervalTooBriefRetriesWithMinExpiresOrDoubles() {
        startAndSend();
        reg.onResponse(attempt(), new RegistrarResponse(423, "Interval Too Brief", List.of(), null, false, null, 900,
                null, true, "203.0.113.1"));
        assertEquals(900, ctx.last().expires());
        reg.onResponse(attempt(), answer(423));
        assertEquals(1800, ctx.last().expires(), "no Min-Expires: double");
        reg.onResponse(attempt(), ok(1800));
        assertEquals(REGED, reg.status());
    }

    @Test
    void endless423IsAFailureNotALoop() {
        startAndSend();
        for (int i = 0; i < Registration.MAX_423_ROUNDS; i++) {
            reg.onResponse(attempt(), answer(423));
        }
        int sent = ctx.sent.size();
        reg.onResponse(attempt(), answer(423));
        assertEquals(FAIL_WAIT, reg.status());
        assertEquals(sent, ctx.sent.size());
    }

    @Test
    void forbiddenIsFailed() {
        startAndSend();
        reg.onResponse(attempt(), answer(403));
        assertEquals(FAILED, reg.status());
        assertEquals(403, reg.snapshot().lastCode());
        assertNotNull(reg.snapshot().nextAttemptAt());
    }

    @Test
    void noAnswerTimesOutThenBacksOffExponentiallyWithACap() {
        startAndSend();
        ctx.advance(Duration.ofSeconds(32));
        assertEquals(FAIL_WAIT, reg.status());
        assertTrue(ctx.transitions.contains("TRYING->TIMEOUT"));
        assertTrue(ctx.transitions.contains("TIMEOUT->FAIL_WAIT"));
        // random 0 → the lower end of equal jitter: 2, 4, 8, 16, 32, 32 … seconds (cap 64 / 2).
        long[] expected = {2, 4, 8, 16, 32, 32, 32};
        for (long e : expected) {
            assertEquals(Duration.ofSeconds(e), ctx.nextTimerIn());
            ctx.advance(Duration.ofSeconds(e));
            assertEquals(TRYING, reg.status());
            reg.onResponse(attempt(), answer(503));
            assertEquals(FAIL_WAIT, reg.status());
        }
        ctx.random = 0.999;
        reg.onResponse(attempt(), answer(503)); // ignored: no attempt in flight
        ctx.advance(ctx.nextTimerIn());
        reg.onResponse(attempt(), answer(500));
        assertTrue(ctx.nextTimerIn().toSeconds() <= 64 && ctx.nextTimerIn().toSeconds() >= 63);
    }

    @Test
    void retryAfterIsHonoured() {
        startAndSend();
        reg.onResponse(attempt(), new RegistrarResponse(503, "Service Unavailable", List.of(), null, false, null, null,
                50, true, "203.0.113.1"));
        assertEquals(Duration.ofSeconds(50), ctx.nextTimerIn());
    }

    @Test
    void aLateAnswerAfterTheTimeoutIsIgnored() {
        startAndSend();
        long first = attempt();
        ctx.advance(Duration.ofSeconds(32));
        reg.onResponse(first, ok(300));
        assertEquals(FAIL_WAIT, reg.status());
    }

    @Test
    void aRegistrationLapsesToExpiredWhenRefreshesFail() {
        startAndSend();
        reg.onResponse(attempt(), ok(60));
        ctx.advance(Duration.ofSeconds(51)); // refresh at min(51, 55)
        reg.onResponse(attempt(), answer(503));
        assertEquals(REGED, reg.status(), "still valid: keep REGED and retry");
        ctx.advance(Duration.ofSeconds(9)); // reaches expiry (60 s)
        assertEquals(EXPIRED, reg.status());
        reg.onResponse(attempt(), ok(60));
        assertEquals(REGED, reg.status());
    }

    @Test
    void theGrantedExpiryComesFromOurContactElseExpiresAndIsClamped() {
        startAndSend();
        reg.onResponse(attempt(), new RegistrarResponse(200, "OK", List.of(), 90, true, 3600, null, null, true, "x"));
        assertEquals(ctx.now.plusSeconds(90), reg.snapshot().expiresAt());
        ctx.advance(ctx.nextTimerIn());
        reg.onResponse(attempt(), new RegistrarResponse(200, "OK", List.of(), null, false, 200, null, null, true, "x"));
        assertEquals(ctx.now.plusSeconds(200), reg.snapshot().expiresAt());
        assertTrue(reg.snapshot().lastReason().contains("not listed"));
        ctx.advance(ctx.nextTimerIn());
        reg.onResponse(attempt(), new RegistrarResponse(200, "OK", List.of(), 2, true, null, null, null, true, "x"));
        assertEquals(ctx.now.plusSeconds(Registration.MIN_GRANTED), reg.snapshot().expiresAt(), "absurdly short: clamped");
        ctx.advance(ctx.nextTimerIn());
        reg.onResponse(attempt(), new RegistrarResponse(200, "OK", List.of(), 99_999_999, true, null, null, null, true, "x"));
        assertEquals(ctx.now.plusSeconds(Registration.MAX_EXPIRES), reg.snapshot().expiresAt(), "absurdly long: clamped");
    }

    @Test
    void aChallengeWithoutAUsableDigestIsReportedNotLooped() {
        startAndSend();
        // No WWW-Authenticate we can use (missing, or an unsupported algorithm): no answer is sent.
        reg.onResponse(attempt(), new RegistrarResponse(401, "Unauthorized", List.of(
                new DigestChallenge("r", "n", null, "SHA-512-256", List.of("auth"), false, false)), null, false, null,
                null, null, true, "203.0.113.1"));
        assertEquals(FAIL_WAIT, reg.status());
        assertEquals(1, ctx.sent.size());
        assertTrue(reg.snapshot().lastReason().contains("no usable Digest challenge"));
        assertTrue(ctx.nextTimerIn().toMillis() >= 2000, "backs off, no tight loop");
        reg.onResponse(attempt(), answer(401)); // ignored: nothing in flight
        assertEquals(1, ctx.sent.size());
    }

    @Test
    void zeroGrantedIsAFailure() {
        startAndSend();
        reg.onResponse(attempt(), ok(0));
        assertEquals(FAIL_WAIT, reg.status());
    }

    @Test
    void noPasswordMeansFailedOnChallenge() {
        Registration noPw = new Registration(new RegistrationTarget("trunk_b", "c", "1001", null, "d", "d",
                ProxyAddress.parse("203.0.113.1"), 300, "gw+trunk_b"), ctx, settings);
        noPw.start(Duration.ZERO);
        ctx.advance(Duration.ZERO);
        noPw.onResponse(ctx.last().attempt(), challenge(MD5));
        assertEquals(FAILED, noPw.status());
    }

    @Test
    void stoppingUnregistersALiveRegistration() {
        startAndSend();
        reg.onResponse(attempt(), ok(300));
        boolean[] done = {false};
        reg.stop(true, () -> done[0] = true);
        assertEquals(RegistrationStatus.UNREGISTER, reg.status());
        assertEquals(0, ctx.last().expires());
        reg.onResponse(attempt(), challenge(MD5));
        assertTrue(ctx.last().authorization() != null, "the un-REGISTER answers its challenge");
        reg.onResponse(attempt(), ok(null));
        assertEquals(UNREGED, reg.status());
        assertTrue(done[0]);
        int sent = ctx.sent.size();
        ctx.advance(Duration.ofHours(2));
        assertEquals(sent, ctx.sent.size(), "nothing more after stop");
    }

    @Test
    void stoppingWithoutARegistrationFinishesAtOnce() {
        startAndSend();
        boolean[] done = {false};
        reg.stop(true, () -> done[0] = true);
        assertTrue(done[0]);
        assertEquals(UNREGED, reg.status());
    }

    @Test
    void aClosedConnectionRegistersAgainAtOnce() {
        startAndSend();
        reg.onResponse(attempt(), ok(300));
        int sent = ctx.sent.size();
        reg.connectionLost();
        assertEquals(sent + 1, ctx.sent.size());
    }

    @Test
    void aConnectionClosedBeforeTheAnswerSendsAgainAtOnceInsteadOfWaitingForTheTimeout() {
        startAndSend();
        assertTrue(reg.inFlight());
        assertEquals(ctx.now(), reg.inFlightSince());
        int sent = ctx.sent.size();
        int abandoned = ctx.abandoned;
        reg.connectionLostWhileWaiting();
        assertEquals(sent + 1, ctx.sent.size(), "a new REGISTER at once");
        assertEquals(abandoned + 1, ctx.abandoned, "the lost transaction is abandoned");
        long attempt = attempt();
        reg.onResponse(attempt, ok(300));
        assertEquals(REGED, reg.status());
        assertEquals(null, reg.inFlightSince());
    }
}
