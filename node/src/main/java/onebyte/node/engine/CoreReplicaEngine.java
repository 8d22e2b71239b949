package onebyte.node.engine;

import java.lang.ref.Cleaner;
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
import onebyte.core.spsa.SharedReplicaUpdate;
import onebyte.core.spsa.SpsaClient;
import onebyte.core.spsa.SpsaEstimator;

/**
 * The onebyte.core SPSA engine: SpsaEstimator (θ untouched, z generated once; a d-element scratch
 * copy is allocated, on the first sample, only for models without the fused
 * {@link onebyte.core.model.SymmetricPerturbedLoss} evaluation), ByteCodec, fused ReplicaUpdate.
 * With {@link EngineSpec#sharedRegeneration()} the commits are applied through this JVM's
 * {@link onebyte.core.spsa.SharedReplicaUpdate} for the run (same bits; the engine unregisters
 * when it is garbage collected).
 */
public final class CoreReplicaEngine implements ReplicaEngine {
    private static final Cleaner CLEANER = Cleaner.create();

    private final PerturbationStream stream;
    private final ByteCodec codec;
    private final ReplicaUpdate update;
    private final SharedReplicaUpdate.Replica shared; // null: applies alone
    private final float eps;
    private final int threads;
    private Model estimatorModel;
    private SpsaClient.Estimator estimator;

    public CoreReplicaEngine(EngineSpec spec) {
        this.stream = new PerturbationStream(Distribution.parse(spec.distribution()), spec.chunkSize());
        this.codec = ByteCodec.named(spec.codec());
        this.update = new ReplicaUpdate(stream, codec, spec.runSeed(), spec.threads(), spec.weightDecay());
        if (spec.sharedRegeneration()) {
            SharedUpdates.Handle h = SharedUpdates.join(new SharedUpdates.Key(spec.runSeed(), spec.codec(), spec.distribution(),
                    spec.chunkSize(), spec.weightDecay(), spec.threads()), update);
            this.shared = h.replica();
            CLEANER.register(this, h);
        } else {
            this.shared = null;
        }
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
    public SpsaClient.Sample sample(Model model, ParameterVector theta, long seed, Batch batch) {
        if (model != estimatorModel) {
            estimator = null; // its scratch, if any, can go before the next one is allocated
            estimator = SpsaClient.estimator(new SpsaEstimator(model, stream, eps, threads), codec);
            estimatorModel = model;
        }
        return estimator.sample(theta, seed, batch);
    }

    @Override
    public void apply(ParameterVector theta, CommitEntries c) {
        List<Contribution> list = new ArrayList<>(c.n());
        for (int j = 0; j < c.n(); j++) {
            list.add(new Contribution(c.nodeIds()[j], c.samples()[j], c.code(j)));
        }
        RoundCommit commit = new RoundCommit(c.round(), list);
        if (shared != null) {
            shared.apply(theta, commit, c.lr());
        } else {
            update.apply(theta, commit, c.lr());
        }
    }
}
