package onebyte.coordinator.bench.micro;

import java.util.concurrent.TimeUnit;
import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.PerturbationStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Generation rate of z = Z(seed) over d = 1M elements: the score is elements per second. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PerturbationGenBench {
    public static final int D = 1 << 20;

    @Param({"GAUSSIAN", "RADEMACHER"})
    public Distribution dist;

    @Param({"1", "2"})
    public int threads;

    private PerturbationStream stream;
    private float[] out;
    private long seed;

    @Setup
    public void setup() {
        stream = new PerturbationStream(dist, PerturbationStream.DEFAULT_CHUNK_SIZE);
        out = new float[D];
    }

    @Benchmark
    @OperationsPerInvocation(D)
    public float fill() {
        stream.fill(seed++, out, threads);
        return out[D - 1];
    }
}
