package onebyte.core.spsa;

import java.util.ArrayList;
import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.perturbation.SeedMixer;
import onebyte.core.tensor.ParameterVector;

/**
 * One node's side of an SPSA round (SPEC §2), as Flower splits a Client from its Strategy: on the
 * replica θ_r and the node's own shard, S samples, each
 *
 * <pre>
 *   s   = H(run seed, node i, round r, sample k)          SeedMixer.contributionSeed
 *   ξ   = a minibatch of the shard drawn with H(s, MINIBATCH)
 *   ĝ   = (L(θ + εz; ξ) − L(θ − εz; ξ)) / 2ε,  z = Z(s)   the node's estimator (SpsaEstimator)
 *   q   = Q(ĝ, s)                                          the run's codec (ByteCodec): 1 byte for log8
 * </pre>
 *
 * and the round's answer is the codes (node, k, q), the only thing that leaves the node. θ comes
 * back bit-exact; the coordinator commits the codes ({@link SpsaServer}) and every replica applies
 * θ ← θ − (lr/n)·Σ D(q)·Z(s) ({@link ReplicaUpdate}).
 */
public final class SpsaClient {
    /** The node's shard: a minibatch of this many examples drawn with this seed. */
    @FunctionalInterface
    public interface Shard {
        Batch draw(int batchSize, long seed);
    }

    /** One sample's estimate and code at θ on a batch with the direction of a seed (the node's engine). */
    @FunctionalInterface
    public interface Estimator {
        Sample sample(ParameterVector theta, long seed, Batch batch);
    }

    /** ĝ, its code, the training loss seen (mean of l+ and l−) and the forward passes spent. */
    public record Sample(double gHat, byte[] code, double loss, int forwardPasses) {}

    /** A node's answer to one round: its S samples in index order. */
    public record Round(long round, List<Sample> samples) {
        /** Σ loss / S, summed in sample order (the metrics' train_loss of the node). */
        public double meanLoss() {
            double sum = 0;
            for (Sample s : samples) sum += s.loss();
            return sum / samples.size();
        }

        public long forwardPasses() {
            return samples.stream().mapToLong(Sample::forwardPasses).sum();
        }
    }

    private final long runSeed;
    private final int nodeId;
    private final int samples;
    private final int batchSize;

    public SpsaClient(long runSeed, int nodeId, int samples, int batchSize) {
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        this.runSeed = runSeed;
        this.nodeId = nodeId;
        this.samples = samples;
        this.batchSize = batchSize;
    }

    /** Round {@code round} of this node at θ_round (not modified). */
    public Round round(long round, ParameterVector theta, Shard shard, Estimator estimator) {
        List<Sample> out = new ArrayList<>(samples);
        for (int k = 0; k < samples; k++) {
            long seed = SeedMixer.contributionSeed(runSeed, nodeId, round, k);
            Batch batch = shard.draw(batchSize, SeedMixer.derive(seed, SeedMixer.SALT_MINIBATCH));
            out.add(estimator.sample(theta, seed, batch));
        }
        return new Round(round, List.copyOf(out));
    }

    /** The estimator of the core engine: {@link SpsaEstimator} for ĝ, {@link ByteCodec} for q. */
    public static Estimator estimator(SpsaEstimator estimator, ByteCodec codec) {
        return (theta, seed, batch) -> {
            SpsaEstimator.Result r = estimator.evaluate(theta, seed, batch);
            return new Sample(r.gHat(), codec.encode(r.gHat(), seed), r.meanLoss(), 2);
        };
    }
}
