package onebyte.coordinator.bench;

import onebyte.proto.WorkloadSpec;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import onebyte.core.data.Batch;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.node.engine.Workload;

/**
 * Replica-level memory for one model, each number from a fresh JVM ({@link FootprintChild}: same
 * classpath, {@code -Xms512m -Xmx512m -XX:+AlwaysPreTouch}, glibc's mmap threshold at 64 KiB so
 * freed native blocks leave the resident set, one native thread), because in one
 * long-lived process freed native memory is reused and touched heap pages stay resident, which
 * hides what a new replica costs. A footprint = peak resident set above the child's post-warm-up
 * baseline, taken once the child is quiet ({@link ProcessMemory#growthOf}: ND4J's deallocator done
 * with the set-up's garbage, the resident set still for 5.5 s; each child takes 6–10 s longer for it)
 * (with the heap pre-touched that is native memory: ND4J's arrays, which JavaCPP's
 * {@code Pointer.totalBytes()} does not count: measured 16 bytes for a 4 MB array) + heap retained
 * after a GC while the replica is alive ({@code MemoryMXBean}).
 *
 * <ul>
 *   <li>inference footprint: a model and a fresh θ running three forward passes of one batch;
 *   <li>SPSA replica: model, θ and the core engine (with the run's thread count) running three SPSA
 *       samples and applying one commit of n codes: exactly what a node allocates (the engine
 *       allocates a scratch copy of θ only for a model without the fused θ±εz evaluation);
 *   <li>FedSpeed replica: a model, x^t and one client round (K = 10, ascent step, dual state) with
 *       x̂ returned, for comparison.
 * </ul>
 *
 * Also measured here, in this process: generating one direction of d elements into a fresh buffer
 * on one thread, the reference of the fused update's efficiency; and one forward pass of the model
 * at the SPSA batch size on one thread, the reference of the SPSA step's cost.
 */
final class Footprint {
    /**
     * Footprints below this are not compared: a fresh JVM's heap after GC moves by 1 to 6 MiB
     * (observed −6 MiB for a pretrained model of 3 KB), so ratios of smaller footprints are noise.
     */
    static final long RESOLUTION_BYTES = 4L << 20;
    /** Warm-up calls (at least) and measured calls of the reference forward pass, {@link #forwardOnce}. */
    private static final int FORWARD_WARM_UP_CALLS = 20;
    private static final int FORWARD_CALLS = 21;

    private Footprint() {}

    /**
     * What a child measured: off-heap peak above its baseline and heap retained, bytes. The total
     * counts a negative heap difference as 0: θ, scratch and activations are ND4J (off-heap)
     * arrays, and the heap after GC came out about 1 MiB below its baseline for every model
     * (GC accounting, not memory given back by the replica).
     */
    record Child(long offHeapPeak, long heapRetained) {
        long total() {
            return offHeapPeak + Math.max(0, heapRetained);
        }
    }

    /** @param d the workload's parameter count */
    record Result(int d, Child inference, Child spsa, Child fedspeed, double generateOnceSeconds, double forwardSeconds) {
        long inferenceBytes() {
            return inference.total();
        }

        long spsaBytes() {
            return spsa.total();
        }

        /** SPSA / inference, NaN when the inference footprint is below {@link #RESOLUTION_BYTES}. */
        double ratio() {
            return ratio(spsa);
        }

        /** A child's footprint / inference, NaN when the inference footprint is below the resolution. */
        double ratio(Child c) {
            return inferenceBytes() < RESOLUTION_BYTES ? Double.NaN : (double) c.total() / inferenceBytes();
        }
    }

    /** The three children's footprints of {@code w} (built from {@code spec}), one direction's generation and one forward pass. */
    static Result measure(WorkloadSpec spec, Workload w, long seed, int batchSize, int commitSize, String distribution, int chunkSize,
                          String codec, float eps, int threads) throws IOException, InterruptedException {
        int d = w.numParams();
        Child inference = replica("inference", spec, seed, batchSize, commitSize, distribution, chunkSize, codec, eps, threads);
        Child spsa = replica("spsa", spec, seed, batchSize, commitSize, distribution, chunkSize, codec, eps, threads);
        Child fed = replica("fedspeed", spec, seed, batchSize, commitSize, distribution, chunkSize, codec, eps, threads);
        double gen = generateOnce(new PerturbationStream(onebyte.core.perturbation.Distribution.parse(distribution), chunkSize), d);
        double forward = forwardOnce(w, batchSize);
        return new Result(d, inference, spsa, fed, gen, forward);
    }

    /** A child's output without the "at ..." lines of its stack traces (what failed stays, the frames go). */
    private static String withoutStackFrames(String out) {
        return out.lines().filter(l -> !l.stripLeading().startsWith("at ") && !l.stripLeading().startsWith("..."))
                .collect(java.util.stream.Collectors.joining("\n")).strip();
    }

    /** The off-heap limits of a footprint child (direct buffers, JavaCPP's maxbytes and maxphysicalbytes). */
    private static final String CHILD_OFF_HEAP_LIMIT = "12g";

    /** One footprint of {@code mode} (inference, spsa or fedspeed) from a fresh child JVM ({@link FootprintChild}). */
    static Child replica(String mode, WorkloadSpec spec, long seed, int batchSize, int commitSize, String distribution, int chunkSize,
                         String codec, float eps, int threads) throws IOException, InterruptedException {
        return child(mode, List.of(FootprintChild.argument(spec), Long.toString(seed), Integer.toString(batchSize), Integer.toString(commitSize),
                distribution, Integer.toString(chunkSize), codec, Float.toString(eps), Integer.toString(threads)));
    }

    private static Child child(String mode, List<String> args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        // ND4J's off-heap limit follows -Xmx (512 MB) unless told otherwise; a FedSpeed replica of a
        // large model (8 vectors of 4d bytes: 723 MB for MiniLM) needs more. Only a limit: nothing is reserved.
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch",
                "-XX:MaxDirectMemorySize=" + CHILD_OFF_HEAP_LIMIT, "-Dorg.bytedeco.javacpp.maxbytes=" + CHILD_OFF_HEAP_LIMIT, "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + CHILD_OFF_HEAP_LIMIT));
        String quiet = System.getProperty(ProcessMemory.QUIET_PROPERTY);
        if (quiet != null) {
            cmd.add("-D" + ProcessMemory.QUIET_PROPERTY + "=" + quiet);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FootprintChild.class.getName(), mode));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // every native block of 64 KiB or more gets its own mapping and is unmapped when freed, so a
        // new array cannot reuse pages freed before the baseline (seen: a 16 MB θ copy adding 2.5 MB)
        pb.environment().put("MALLOC_MMAP_THRESHOLD_", "65536");
        pb.environment().put("MALLOC_TRIM_THRESHOLD_", "0");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("footprint child " + mode + " failed: " + withoutStackFrames(new String(out, StandardCharsets.UTF_8)));
        }
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("FOOTPRINT ")) {
                String[] f = line.trim().split(" ");
                return new Child(Long.parseLong(f[1]), Long.parseLong(f[2]));
            }
        }
        throw new IOException("footprint child " + mode + " printed no result: " + new String(out, StandardCharsets.UTF_8));
    }

    /**
     * Median CPU seconds of one forward pass ({@code loss}) of a fresh model of the workload at θ_0 on
     * a batch of {@code batchSize} drawn from shard 1, on the calling thread: {@value #FORWARD_CALLS}
     * calls after a warm-up of at least {@value #FORWARD_WARM_UP_CALLS} calls and 0.5 s (JIT; the
     * cluster's samples are measured warm too).
     */
    static double forwardOnce(Workload w, int batchSize) {
        Model m = w.newModel();
        ParameterVector theta = w.initialParameters();
        Batch batch = w.draw(w.shard(1), batchSize, 7);
        long warmUntil = System.nanoTime() + 500_000_000L;
        for (int i = 0; i < FORWARD_WARM_UP_CALLS || System.nanoTime() < warmUntil; i++) {
            m.loss(theta, batch);
        }
        double[] t = new double[FORWARD_CALLS];
        for (int i = 0; i < t.length; i++) {
            long c0 = BenchProbe.threadCpuNanos();
            m.loss(theta, batch);
            t[i] = (BenchProbe.threadCpuNanos() - c0) / 1e9;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }


    /** Median CPU seconds of generating one whole direction into a fresh buffer on one thread (5 after 2 warm-ups). */
    static double generateOnce(PerturbationStream stream, int d) {
        double[] t = new double[7];
        for (int i = 0; i < t.length; i++) {
            long c0 = BenchProbe.threadCpuNanos();
            float[] out = new float[d];
            stream.fill(0x5eedL + i, out, 1);
            t[i] = (BenchProbe.threadCpuNanos() - c0) / 1e9;
            Reference.reachabilityFence(out);
        }
        double[] measured = Arrays.copyOfRange(t, 2, t.length);
        Arrays.sort(measured);
        return measured[measured.length / 2];
    }
}
