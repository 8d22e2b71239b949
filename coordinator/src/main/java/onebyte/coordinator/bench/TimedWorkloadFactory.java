package onebyte.coordinator.bench;

import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.model.Model;
import onebyte.core.model.SymmetricPerturbedLoss;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.node.engine.Workload;
import onebyte.node.engine.Workloads;
import onebyte.proto.WorkloadSpec;

/**
 * A workload plug-in that wraps another workload and times every forward pass ({@code loss},
 * {@code accuracy}) and gradient pass of its models into {@link BenchProbe}. A model with the fused
 * SPSA evaluation ({@link SymmetricPerturbedLoss}) keeps it (not timed here: it is the whole SPSA
 * sample, which {@link TimedEngineFactory} times). Its spec is the inner workload's with
 * {@code factory} set to this class (see {@link #wrap}). Data, θ_0 and results are the inner
 * workload's, unchanged.
 */
public final class TimedWorkloadFactory implements Workload.Factory {
    /** The spec of the timed version of {@code inner}. */
    public static WorkloadSpec wrap(WorkloadSpec inner) {
        if (!inner.getFactory().isEmpty()) {
            throw new IllegalArgumentException("a workload to time must be a built-in one, got factory " + inner.getFactory());
        }
        return inner.toBuilder().setFactory(TimedWorkloadFactory.class.getName()).build();
    }

    /** The inner spec of a spec made by {@link #wrap}. */
    public static WorkloadSpec unwrap(WorkloadSpec spec) {
        if (!spec.getFactory().equals(TimedWorkloadFactory.class.getName())) {
            throw new IllegalArgumentException("not a timed workload spec: " + spec);
        }
        return spec.toBuilder().clearFactory().build();
    }

    @Override
    public Workload create(WorkloadSpec spec, long runSeed) {
        Workload inner = Workloads.get(unwrap(spec), runSeed);
        return new Workload() {
            @Override
            public int numParams() {
                return inner.numParams();
            }

            @Override
            public Model newModel() {
                Model m = inner.newModel();
                return m instanceof SymmetricPerturbedLoss fused ? new TimedFusedModel(m, fused) : new TimedModel(m);
            }

            @Override
            public ParameterVector initialParameters() {
                return inner.initialParameters();
            }

            @Override
            public Dataset shard(int nodeId) {
                return inner.shard(nodeId);
            }

            @Override
            public Dataset evalSet() {
                return inner.evalSet();
            }

            @Override
            public Batch draw(Dataset data, int batchSize, long seed) {
                return inner.draw(data, batchSize, seed);
            }
        };
    }

    /** A model whose evaluations are counted and timed. */
    static class TimedModel implements Model {
        private final Model inner;

        TimedModel(Model inner) {
            this.inner = inner;
        }

        @Override
        public int numParams() {
            return inner.numParams();
        }

        @Override
        public List<TensorShape> tensors() {
            return inner.tensors();
        }

        @Override
        public double loss(ParameterVector params, Batch batch) {
            return timed(BenchProbe.Work.FORWARD, () -> inner.loss(params, batch));
        }

        @Override
        public double accuracy(ParameterVector params, Batch batch) {
            return timed(BenchProbe.Work.FORWARD, () -> inner.accuracy(params, batch));
        }

        @Override
        public int evaluationChunk(Dataset data) {
            return inner.evaluationChunk(data);
        }

        @Override
        public double lossAndGradient(ParameterVector params, Batch batch, ParameterVector gradOut) {
            return timed(BenchProbe.Work.GRADIENT, () -> inner.lossAndGradient(params, batch, gradOut));
        }

        private static double timed(BenchProbe.Work work, java.util.function.DoubleSupplier call) {
            long[] t = BenchProbe.start();
            double v = call.getAsDouble();
            BenchProbe.stop(work, t);
            return v;
        }
    }

    /** A timed model that keeps the inner model's fused SPSA evaluation. */
    static final class TimedFusedModel extends TimedModel implements SymmetricPerturbedLoss {
        private final SymmetricPerturbedLoss fused;

        TimedFusedModel(Model inner, SymmetricPerturbedLoss fused) {
            super(inner);
            this.fused = fused;
        }

        @Override
        public Losses symmetricPerturbedLosses(ParameterVector theta, PerturbationStream stream, long seed, float eps, Batch batch,
                                               int threads) {
            return fused.symmetricPerturbedLosses(theta, stream, seed, eps, batch, threads);
        }
    }
}
