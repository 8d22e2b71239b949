package onebyte.coordinator.bench;

import onebyte.core.data.Batch;
import onebyte.core.model.Model;
import onebyte.core.spsa.ParameterVector;
import onebyte.node.engine.CoreReplicaEngine;
import onebyte.node.engine.ReplicaEngine;

/**
 * The core SPSA engine ({@link CoreReplicaEngine}, unchanged results) with every SPSA sample
 * (perturbation + two forward passes) and every commit application (regeneration of the n
 * directions, fused update) timed into {@link BenchProbe}. Engine name:
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
            public Sample sample(Model model, ParameterVector theta, ParameterVector scratch, long seed, Batch batch) {
                long[] t = BenchProbe.start();
                Sample s = inner.sample(model, theta, scratch, seed, batch);
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
