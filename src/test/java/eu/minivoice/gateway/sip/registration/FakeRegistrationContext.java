package eu.minivoice.gateway.sip.registration;

import eu.minivoice.gateway.domain.RegistrationStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A hand-driven world: a clock that moves only when told, timers fired by advancing it. */
final class FakeRegistrationContext implements RegistrationContext {
    record Timer(Instant at, Runnable task, boolean[] cancelled) {
    }

    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    double random = 0.0;
    final List<OutgoingRegister> sent = new ArrayList<>();
    final List<String> transitions = new ArrayList<>();
    final List<Timer> timers = new ArrayList<>();

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        boolean[] cancelled = {false};
        timers.add(new Timer(now.plus(delay), task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public void send(Registration registration, OutgoingRegister request) {
        sent.add(request);
    }

    int abandoned;

    @Override
    public void abandon(Registration registration) {
        abandoned++;
    }

    @Override
    public void statusChanged(Registration registration, RegistrationStatus from, RegistrationStatus to, String reason) {
        transitions.add(from + "->" + to);
    }

    @Override
    public double random() {
        return random;
    }

    @Override
    public String cnonce() {
        return "cnonce1";
    }

    /** Moves the clock, firing due timers in time order. */
    void advance(Duration d) {
        Instant until = now.plus(d);
        while (true) {
            Timer next = timers.stream().filter(t -> !t.cancelled()[0] && !t.at().isAfter(until))
                    .min(Comparator.comparing(Timer::at)).orElse(null);
            if (next == null) {
                break;
            }
            timers.remove(next);
            now = next.at();
            next.task().run();
        }
        now = until;
    }

    /** When the next live timer is due, relative to now. */
    Duration nextTimerIn() {
        return timers.stream().filter(t -> !t.cancelled()[0]).map(Timer::at).min(Comparator.naturalOrder())
                .map(at -> Duration.between(now, at)).orElse(null);
    }

    OutgoingRegister last() {
        return sent.get(sent.size() - 1);
    }
}
