package onebyte.coordinator.bench;

import onebyte.core.spsa.SpsaClient;
import onebyte.core.data.Batch;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.engine.CoreReplicaEngine;
import onebyte.node.engine.ReplicaEngine;

/**
 * The core SPSA engine ({@link CoreReplicaEngine}, unchanged results) with every SPSA sample
 * (both perturbed points evaluated: z generated once, θ ± εz built, two forward passes' worth of
 * work) and every commit application (regeneration of the n directions, fused update) timed into
 * {@link BenchProbe} (CPU time includes the core's helper threads when {@code threads} ≥ 2). Engine name:
 * {@code class:onebyte.coordinator.bench.TimedEngineFactory}. The coordinator's replica uses the
 * engine too, so APPLY counts N + 1 replicas per round.
 */
public final class TimedEngineFactory implements ReplicaEngine.Factory {
    public static final String ENGINE = "class:" + TimedEngineFactory.class.getName();

    @Override
    public ReplicaEngine create(ReplicaEngine.EngineSpec spec) {
        ReplicaEngine inner = new CoreReplicaEngine(spec);
        return new ReplicaEngine() {
            @Override
            public int codeWidth() {
                return inner.codeWidth();
            }

            @Override
            public SpsaClient.Sample sample(Model model, ParameterVector theta, long seed, Batch batch) {
                long[] t = BenchProbe.start();
                SpsaClient.Sample s = inner.sample(model, theta, seed, batch);
                BenchProbe.stop(BenchProbe.Work.SAMPLE, t);
                return s;
            }

            @Override
            public void apply(ParameterVector theta, CommitEntries commit) {
                long[] t = BenchProbe.start();
                inner.apply(theta, commit);
                BenchProbe.stop(BenchProbe.Work.APPLY, t);
            }
        };
    }
}
