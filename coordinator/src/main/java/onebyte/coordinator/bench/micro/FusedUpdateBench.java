package onebyte.coordinator.bench.micro;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import onebyte.core.spsa.ByteCodec;
import onebyte.core.spsa.Contribution;
import onebyte.core.perturbation.Distribution;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.spsa.ReplicaUpdate;
import onebyte.core.spsa.RoundCommit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The fused replica update of n contributions (log8 codes) on d = 1M parameters: time per round. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FusedUpdateBench {
    public static final int D = 1 << 20;

    @Param({"GAUSSIAN", "RADEMACHER"})
    public Distribution dist;

    @Param({"1", "4", "16", "64"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    private ReplicaUpdate update;
    private ParameterVector theta;
    private RoundCommit commit;

    @Setup
    public void setup() {
        ByteCodec codec = ByteCodec.defaultCodec();
        update = new ReplicaUpdate(new PerturbationStream(dist, PerturbationStream.DEFAULT_CHUNK_SIZE), codec, 7L, threads);
        theta = new ParameterVector(D);
        SplittableRandom r = new SplittableRandom(1);
        List<Contribution> cs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // non-zero codes only, so every contribution's direction is generated
            cs.add(new Contribution(i, 0, codec.encode((r.nextBoolean() ? 1 : -1) * (0.01 + r.nextDouble()), r.nextLong())));
        }
        commit = new RoundCommit(3, cs);
    }

    @Benchmark
    public ParameterVector fused() {
        update.apply(theta, commit, 1e-6);
        return theta;
    }
}
