package onebyte.coordinator.clock;

import java.util.Collection;

/**
 * The common clock of SPEC §5, in virtual seconds.
 *
 * <p>A round lasts as long as its slowest participant: counted work times the run's unit costs
 * (so the clock does not run slower because N simulated nodes share two cores), plus its bytes
 * over its own class's links, plus two one-way latencies (the coordinator's message out, the
 * participant's answer back: a scenario's {@code latency-ms} is one way, as the network namespaces
 * of docker/netns-cluster.sh apply it); then the coordinator's share. Everything a
 * participant does in a round is in its {@link ParticipantWork}: forward passes, gradient passes
 * and generated direction elements (SPSA's regeneration of every contribution's z). A round that
 * lost a participant (crashed, or missed the deadline) lasts at least its round deadline: the
 * coordinator cannot tell a crashed node from a slow one before the deadline, and the clock must
 * not depend on when the cluster's failure detector happens to report the crash.
 */
public final class VirtualClock {
    private final WorkCosts costs;
    private double now;

    public VirtualClock(WorkCosts costs) {
        this.costs = costs;
    }

    /**
     * Unit costs in seconds: the scenario's fixed costs ({@code clock.costs = fixed}) or costs
     * measured once at the start of the run ({@code clock.costs = measured}, {@link WorkCalibration}).
     */
    public record WorkCosts(double secondsPerForward, double secondsPerGradient, double secondsPerGeneratedElement) {
        public WorkCosts {
            if (!(secondsPerForward >= 0 && secondsPerGradient >= 0 && secondsPerGeneratedElement >= 0)) {
                throw new IllegalArgumentException("work costs must be >= 0");
            }
        }
    }

    /** One participant's round: counted work, measured wire bytes, and its links. */
    public record ParticipantWork(long forwardPasses, long gradientPasses, long generatedElements,
                                  long bytesUp, long bytesDown, double uplinkMbps, double downlinkMbps, double latencyMs) {
        /** Work and bytes over the links of the participant's node class. */
        public ParticipantWork(long forwardPasses, long gradientPasses, long generatedElements, long bytesUp, long bytesDown,
                               NodeLinks.Links links) {
            this(forwardPasses, gradientPasses, generatedElements, bytesUp, bytesDown, links.uplinkMbps(), links.downlinkMbps(),
                    links.latencyMs());
        }
    }

    public double now() {
        return now;
    }

    /** Seconds this participant needs for its round. */
    public double participantSeconds(ParticipantWork w) {
        double compute = w.forwardPasses() * costs.secondsPerForward()
                + w.gradientPasses() * costs.secondsPerGradient()
                + w.generatedElements() * costs.secondsPerGeneratedElement();
        double wire = w.bytesUp() * 8.0 / (w.uplinkMbps() * 1e6) + w.bytesDown() * 8.0 / (w.downlinkMbps() * 1e6);
        return compute + wire + 2 * w.latencyMs() / 1000.0;
    }

    /**
     * Seconds one round lasts: its slowest participant plus the coordinator's share, and at least
     * {@code atLeastSeconds} (the round deadline when the round lost a participant, else 0).
     */
    public double roundSeconds(Collection<ParticipantWork> participants, double coordinatorSeconds, double atLeastSeconds) {
        double slowest = 0;
        for (ParticipantWork w : participants) {
            slowest = Math.max(slowest, participantSeconds(w));
        }
        return Math.max(slowest + coordinatorSeconds, atLeastSeconds);
    }

    /** Moves the clock on by one round of {@code seconds}. */
    public void advanceBy(double seconds) {
        now += seconds;
    }
}
