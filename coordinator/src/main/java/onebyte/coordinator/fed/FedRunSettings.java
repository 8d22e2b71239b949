package onebyte.coordinator.fed;

import java.time.Duration;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.coordinator.clock.WorkCalibration;
import onebyte.core.fed.FedSpeedParams;

/**
 * Everything one federated cluster run (FedSpeed or FedAvg, SPEC §4) needs.
 *
 * @param runId name of the run (metrics rows carry it)
 * @param algorithm "fedspeed" or "fedavg" (the rows' algorithm column)
 * @param runSeed the one seed of the run: data, partition, θ_0, participants, minibatches
 * @param nodes initial nodes; round 0 opens when this many are ready (shards 1..nodes)
 * @param rounds rounds to run
 * @param client K, η_l (at round 0), its per-round decay, 1/λ, ρ, α, batch size, FedSpeed or FedAvg
 * @param participation p, the fraction of live members sampled each round
 * @param roundDeadline a round closes at this deadline even if participants did not return
 * @param evalEvery evaluate the global model every E rounds (and at round 0 and the last)
 * @param workload workload spec string (model, data, partition, θ_0), see onebyte.node.engine.Workloads
 * @param uplinkMbps participants' uplink for virtual time
 * @param downlinkMbps participants' downlink for virtual time
 * @param latencyMs latency for virtual time (one per round, as in {@link VirtualClock#participantSeconds})
 * @param workCosts unit costs of the virtual clock, the same for every algorithm of a comparison;
 *     null = the coordinator measures them itself at start ({@link WorkCalibration})
 */
public record FedRunSettings(String runId, String algorithm, long runSeed, int nodes, long rounds, FedSpeedParams client,
                             double participation, Duration roundDeadline, int evalEvery, String workload, double uplinkMbps,
                             double downlinkMbps, double latencyMs, VirtualClock.WorkCosts workCosts) {
    public FedRunSettings {
        if (!algorithm.equals("fedspeed") && !algorithm.equals("fedavg")) {
            throw new IllegalArgumentException("algorithm must be fedspeed or fedavg, got " + algorithm);
        }
        if (algorithm.equals("fedavg") != client.isFedAvg()) {
            throw new IllegalArgumentException(algorithm + " with client parameters " + client);
        }
        if (nodes < 1) throw new IllegalArgumentException("nodes must be >= 1");
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1");
        if (!(participation > 0 && participation <= 1)) throw new IllegalArgumentException("participation must be in (0, 1]");
        if (roundDeadline.isNegative() || roundDeadline.isZero()) throw new IllegalArgumentException("roundDeadline must be > 0");
        if (evalEvery < 1) throw new IllegalArgumentException("evalEvery must be >= 1");
        if (!(uplinkMbps > 0 && downlinkMbps > 0)) throw new IllegalArgumentException("bandwidth must be > 0");
        if (latencyMs < 0) throw new IllegalArgumentException("latencyMs must be >= 0");
    }

    /** Gradient passes one participant makes in a round: K, or 2K when FedSpeed computes the ascent gradient. */
    public int gradientPassesPerRound() {
        return client.localSteps() * (client.alpha() > 0 && client.rho() > 0 ? 2 : 1);
    }
}
