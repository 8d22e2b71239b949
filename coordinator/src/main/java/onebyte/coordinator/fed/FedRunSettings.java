package onebyte.coordinator.fed;

import java.time.Duration;
import onebyte.coordinator.clock.NodeLinks;
import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.coordinator.clock.WorkCalibration;
import onebyte.core.fed.FedSpeedParams;
import onebyte.proto.WorkloadSpec;

/**
 * Everything one federated cluster run (FedSpeed or FedAvg, SPEC §4) needs.
 *
 * @param runId name of the run (metrics rows carry it)
 * @param algorithm "fedspeed" or "fedavg" (the rows' algorithm column)
 * @param runSeed the one seed of the run: data, partition, θ_0, participants, minibatches
 * @param nodes initial nodes; round 0 opens when this many are ready (shards 1..nodes)
 * @param rounds rounds to run at most
 * @param client K, η_l (at round 0), its per-round decay, 1/λ, ρ, α, batch size, FedSpeed or FedAvg
 * @param participation p, the fraction of live members sampled each round
 * @param roundDeadline a round closes at this deadline even if participants did not return
 * @param evalEvery evaluate the global model every E rounds (and at round 0 and the last)
 * @param workload model, data, partition and θ_0, see onebyte.node.engine.Workloads
 * @param links each node class's links for virtual time; a node names its class when it joins
 * @param workCosts unit costs of the virtual clock, the same for every algorithm of a comparison;
 *     null = the coordinator measures them itself at start ({@link WorkCalibration})
 * @param maxVirtualSeconds stop after the round at whose end the virtual clock reached this (0 = no limit)
 * @param maxBytes stop after the round at whose end bytes_cum reached this (0 = no limit)
 */
public record FedRunSettings(String runId, String algorithm, long runSeed, int nodes, long rounds, FedSpeedParams client,
                             double participation, Duration roundDeadline, int evalEvery, WorkloadSpec workload, NodeLinks links,
                             VirtualClock.WorkCosts workCosts, double maxVirtualSeconds, long maxBytes) {
    public FedRunSettings {
        if (!algorithm.equals("fedspeed") && !algorithm.equals("fedavg")) {
            throw new IllegalArgumentException("algorithm must be fedspeed or fedavg, got " + algorithm);
        }
        if (algorithm.equals("fedavg") != client.isFedAvg()) {
            throw new IllegalArgumentException(algorithm + " with client parameters " + client);
        }
        if (nodes < 1) throw new IllegalArgumentException("nodes must be >= 1");
        if (!(participation > 0 && participation <= 1)) throw new IllegalArgumentException("participation must be in (0, 1]");
        if (roundDeadline.isNegative() || roundDeadline.isZero()) throw new IllegalArgumentException("roundDeadline must be > 0");
        if (evalEvery < 1) throw new IllegalArgumentException("evalEvery must be >= 1");
        if (links == null) throw new IllegalArgumentException("links must be given");
        new RunBudget(rounds, maxVirtualSeconds, maxBytes); // checks the budgets
    }

    /** Every node with the same links, stopping on rounds only. */
    public FedRunSettings(String runId, String algorithm, long runSeed, int nodes, long rounds, FedSpeedParams client,
                          double participation, Duration roundDeadline, int evalEvery, WorkloadSpec workload, double uplinkMbps,
                          double downlinkMbps, double latencyMs, VirtualClock.WorkCosts workCosts) {
        this(runId, algorithm, runSeed, nodes, rounds, client, participation, roundDeadline, evalEvery, workload,
                NodeLinks.single(uplinkMbps, downlinkMbps, latencyMs), workCosts, 0, 0);
    }

    /** When the run stops: rounds, virtual seconds or bytes on the wire, whichever is reached first. */
    public RunBudget budget() {
        return new RunBudget(rounds, maxVirtualSeconds, maxBytes);
    }

    /** Uplink of the initial node class. */
    public double uplinkMbps() {
        return links.initial().uplinkMbps();
    }

    /** Downlink of the initial node class. */
    public double downlinkMbps() {
        return links.initial().downlinkMbps();
    }

    /** Latency of the initial node class. */
    public double latencyMs() {
        return links.initial().latencyMs();
    }

    /** Gradient passes one participant makes in a round: K, or 2K when FedSpeed computes the ascent gradient. */
    public int gradientPassesPerRound() {
        return client.localSteps() * (client.alpha() > 0 && client.rho() > 0 ? 2 : 1);
    }
}
