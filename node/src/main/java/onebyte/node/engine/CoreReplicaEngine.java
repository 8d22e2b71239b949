package onebyte.node.engine;

import java.util.ArrayList;
import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.model.Model;
import onebyte.core.spsa.ByteCodec;
import onebyte.core.spsa.Contribution;
import onebyte.core.perturbation.Distribution;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.spsa.ReplicaUpdate;
import onebyte.core.spsa.RoundCommit;
import onebyte.core.spsa.SpsaEstimator;

/**
 * The onebyte.core SPSA engine: SpsaEstimator (θ untouched, z generated once; a d-element scratch
 * copy is allocated, on the first sample, only for models without the fused
 * {@link onebyte.core.model.SymmetricPerturbedLoss} evaluation), ByteCodec, fused ReplicaUpdate.
 */
public final class CoreReplicaEngine implements ReplicaEngine {
    private final PerturbationStream stream;
    private final ByteCodec codec;
    private final ReplicaUpdate update;
    private final float eps;
    private final int threads;
    private Model estimatorModel;
    private SpsaEstimator estimator;

    public CoreReplicaEngine(EngineSpec spec) {
        this.stream = new PerturbationStream(Distribution.parse(spec.distribution()), spec.chunkSize());
        this.codec = ByteCodec.named(spec.codec());
        this.update = new ReplicaUpdate(stream, codec, spec.runSeed(), spec.threads(), spec.weightDecay());
        this.eps = spec.eps();
        this.threads = spec.threads();
    }

    /** Factory named by the engine "core". */
    public static final class Factory implements ReplicaEngine.Factory {
        @Override
        public ReplicaEngine create(EngineSpec spec) {
            return new CoreReplicaEngine(spec);
        }
    }

    @Override
    public int codeWidth() {
        return codec.width();
    }

    @Override
    public Sample sample(Model model, ParameterVector theta, long seed, Batch batch) {
        if (model != estimatorModel) {
            estimator = null; // its scratch, if any, can go before the next one is allocated
            estimator = new SpsaEstimator(model, stream, eps, threads);
            estimatorModel = model;
        }
        SpsaEstimator.Result r = estimator.evaluate(theta, seed, batch);
        return new Sample(r.gHat(), codec.encode(r.gHat(), seed), r.meanLoss(), 2);
    }

    @Override
    public void apply(ParameterVector theta, CommitEntries c) {
        List<Contribution> list = new ArrayList<>(c.n());
        for (int j = 0; j < c.n(); j++) {
            list.add(new Contribution(c.nodeIds()[j], c.samples()[j], c.code(j)));
        }
        update.apply(theta, new RoundCommit(c.round(), list), c.lr());
    }
}
