package onebyte.coordinator.clock;

import java.util.Collection;

/**
 * The common clock of SPEC §5, in virtual seconds.
 *
 * <p>A round lasts as long as its slowest participant: counted work times calibrated unit costs
 * (so the clock does not run slower because N simulated nodes share two cores), plus its bytes
 * over its own links, plus one latency; then the coordinator's share. Everything a participant
 * does in a round is in its {@link ParticipantWork}: forward passes, gradient passes and
 * generated direction elements (SPSA's regeneration of every contribution's z).
 */
public final class VirtualClock {
    private final WorkCosts costs;
    private double now;

    public VirtualClock(WorkCosts costs) {
        this.costs = costs;
    }

    /** Unit costs in seconds, measured once per run on one thread (see the README's clock section). */
    public record WorkCosts(double secondsPerForward, double secondsPerGradient, double secondsPerGeneratedElement) {
        public WorkCosts {
            if (!(secondsPerForward >= 0 && secondsPerGradient >= 0 && secondsPerGeneratedElement >= 0)) {
                throw new IllegalArgumentException("work costs must be >= 0");
            }
        }
    }

    /** One participant's round: counted work, measured wire bytes, and its links. */
    public record ParticipantWork(long forwardPasses, long gradientPasses, long generatedElements,
                                  long bytesUp, long bytesDown, double uplinkMbps, double downlinkMbps, double latencyMs) {}

    public double now() {
        return now;
    }

    /** Seconds this participant needs for its round. */
    public double participantSeconds(ParticipantWork w) {
        double compute = w.forwardPasses() * costs.secondsPerForward()
                + w.gradientPasses() * costs.secondsPerGradient()
                + w.generatedElements() * costs.secondsPerGeneratedElement();
        double wire = w.bytesUp() * 8.0 / (w.uplinkMbps() * 1e6) + w.bytesDown() * 8.0 / (w.downlinkMbps() * 1e6);
        return compute + wire + w.latencyMs() / 1000.0;
    }

    /**
     * Advances the clock by one round: the slowest participant plus the coordinator's share.
     * A round without participants (everyone crashed) costs the round deadline.
     * Returns the round's duration.
     */
    public double advance(Collection<ParticipantWork> participants, double coordinatorSeconds, double deadlineSeconds) {
        double slowest = participants.isEmpty() ? deadlineSeconds : 0;
        for (ParticipantWork w : participants) {
            slowest = Math.max(slowest, participantSeconds(w));
        }
        double d = slowest + coordinatorSeconds;
        now += d;
        return d;
    }

    /** Advances by a fixed amount (a round closed at its deadline waits the whole deadline). */
    public void advanceBy(double seconds) {
        now += seconds;
    }
}
