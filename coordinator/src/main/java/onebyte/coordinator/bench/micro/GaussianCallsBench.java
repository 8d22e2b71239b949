package onebyte.coordinator.bench.micro;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.perturbation.SeedMixer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The Gaussian z of {@link PerturbationGenBench} drawn as its definition reads, one
 * {@code (float) rng.nextGaussian()} call per element from each chunk's {@code SplittableRandom}
 * (one thread): the reference that {@code PerturbationStream}'s own draw is compared with. Score:
 * elements per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GaussianCallsBench {
    private final float[] out = new float[PerturbationGenBench.D];
    private long seed;

    @Benchmark
    @OperationsPerInvocation(PerturbationGenBench.D)
    public float nextGaussianCalls() {
        int chunk = PerturbationStream.DEFAULT_CHUNK_SIZE;
        for (int c = 0; c < out.length / chunk; c++) {
            SplittableRandom rng = new SplittableRandom(SeedMixer.chunkSeed(seed, c));
            for (int j = c * chunk; j < (c + 1) * chunk; j++) {
                out[j] = (float) rng.nextGaussian();
            }
        }
        seed++;
        return out[out.length - 1];
    }
}
