package onebyte.coordinator.bench.micro;

import onebyte.coordinator.bench.ProcessMemory;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import onebyte.core.data.Batch;
import onebyte.core.data.MinibatchSampler;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.data.SyntheticText;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.HelperCpuTime;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.spsa.SpsaEstimator;

/**
 * Forward-pass time per model size, the cost of one SPSA step relative to one forward pass, and
 * native memory of SPSA relative to inference, measured in one run.
 *
 * <p>SPSA step = {@link SpsaEstimator#evaluate(ParameterVector, long, Batch)}, the path a node runs
 * (through its engine): z generated once with the engine's chunked generator (default chunk size),
 * both points evaluated in one fused pass (every model kind has it). Each step uses a new seed. It is measured per distribution (gaussian,
 * rademacher) and per estimator thread count ({@code threads}: 1 = everything on the calling
 * thread; 2 = one helper thread builds θ ± εz ahead for the fused models, or the chunks of the
 * scratch path are split over two threads). ND4J runs on one native thread throughout (as the
 * nodes and {@code onebyte bench} do).
 *
 * <p>Forward = the model's own {@link Model#loss} (logits and mean cross-entropy). For the dense
 * models it runs the layer loop of the fused SPSA pass (direct BLAS gemms on kept buffers, W and b
 * read in place from θ), so {@code step/fwd} compares the step with an inference implemented like
 * the step.
 *
 * <p>Times: every call is timed, the operations (forward, then every step variant) alternating
 * call by call so that load from other processes hits them alike; wall time is reported as the
 * 10th percentile ({@code fwd ms}, {@code step ms}, {@code step/fwd}), and CPU time (calling thread
 * plus helper threads, {@link HelperCpuTime}) as the median ratio {@code cpu s/f}. With 2 threads the
 * wall ratio is only meaningful on an otherwise idle machine with two free cores.
 *
 * <p>Memory, measured like {@code onebyte bench}'s replica footprints: a fresh child JVM per number
 * ({@code -Xms512m -Xmx512m -XX:+AlwaysPreTouch}, so heap use does not move the resident set; glibc's
 * mmap threshold at 64 KiB, so freed native blocks leave it; one native thread) runs the same work
 * once on a tiny model of the same kind (classes, JIT, native kernels), takes a GC and a baseline,
 * resets the kernel's peak-RSS counter, then builds the model, θ and the batch and runs 3 forward
 * passes ({@code +inf MB}) or 3 SPSA steps through the estimator ({@code +spsa MB}: Gaussian, the
 * row's thread count; the estimator allocates what it needs, the scratch copy only for models
 * without the fused evaluation). Footprint = peak RSS above the baseline + heap retained after a
 * GC with everything alive; {@code mem x} = SPSA / inference (noise below a few MiB: the heap after
 * a GC moves by about 1 MiB).
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -q -o -pl core -am test-compile
 * java -Xmx4g -cp core/target/test-classes:core/target/classes:$CP onebyte.core.bench.ModelBench [seconds] [threads] [models]
 * </pre>
 * where $CP is core's test classpath (e.g. {@code mvn -pl core dependency:build-classpath}, or the
 * {@code -classpath} of {@code mvn -X -pl core -am test-compile}). Args: seconds of alternating
 * calls per model (default 3), estimator thread counts (default {@code 1,2}), models
 * ({@code all} (default), {@code mlp}: the 100K–4M MLPs at batch 64 and 256, {@code small}: logreg,
 * a 77K MLP and two transformers, or {@code minilm}: all-MiniLM-L6-v2 + a 2-class head at 16 × 64 tokens).
 */
public final class ModelBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final float EPS = SpsaEstimator.DEFAULT_EPS;
    private static final int MINILM_TOKENS = 64;

    private ModelBench() {}

    /** One benchmarked model at one batch size. */
    private record Case(String label, ModelSpec spec, int batch) {}

    public static void main(String[] args) throws Exception {
        if (args.length == 5 && args[0].equals("--child")) {
            child(args[1], ModelSpec.parse(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int[] threadCounts = Arrays.stream((args.length > 1 ? args[1] : "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
        String models = args.length > 2 ? args[2] : "all";
        Models.limitNativeThreads(1);
        System.out.printf("ModelBench: ND4J native threads 1; estimator threads %s; ~%.0f s of alternating calls per model;"
                + " %d processors; load average %s%n", Arrays.toString(threadCounts), seconds,
                Runtime.getRuntime().availableProcessors(), loadAverage());
        System.out.printf("%-34s %9s %6s %-10s %3s %9s %9s %8s %8s %9s %9s %6s%n", "model", "d", "batch", "z", "thr",
                "fwd ms", "step ms", "step/fwd", "cpu s/f", "+inf MB", "+spsa MB", "mem x");
        for (Case c : cases(models)) {
            bench(c, threadCounts, seconds);
        }
        System.out.printf("load average after: %s%n", loadAverage());
    }

    private static List<Case> cases(String models) {
        List<Case> small = List.of(
                new Case("logreg 32->10", ModelSpec.logreg(32, 10), 64),
                new Case("mlp 32->256x256->10", ModelSpec.mlp(32, List.of(256, 256), 10, "relu"), 64),
                new Case("transformer 2L w64 ctx32", ModelSpec.transformerLm(2, 4, 64, 32), 8),
                new Case("transformer default", ModelSpec.defaultTransformerLm(), 8));
        List<Case> mlp = new ArrayList<>();
        for (int h : new int[] {303, 987, 1987}) { // d = h² + 26h + 4: 99,691 / 999,835 / 3,999,835 (as onebyte bench)
            for (int batch : new int[] {64, 256}) {
                String size = h == 303 ? "100K" : h == 987 ? "1M" : "4M";
                mlp.add(new Case("mlp-" + size + " 20->" + h + "x" + h + "->4", ModelSpec.mlp(20, List.of(h, h), 4, "relu"), batch));
            }
        }
        return switch (models) {
            case "all" -> {
                List<Case> all = new ArrayList<>(small);
                all.addAll(mlp);
                yield all;
            }
            case "mlp" -> mlp;
            case "small" -> small;
            case "minilm" -> List.of(new Case("minilm 16x64 tokens", ModelSpec.minilm(2), 16));
            default -> throw new IllegalArgumentException("models must be all, mlp, small or minilm: " + models);
        };
    }

    /** Classification: {@code batch} examples of the model's features; LM: {@code batch} windows of the full context. */
    private static Batch batchFor(ModelSpec spec, int batch) {
        if (spec.kind().equals(ModelSpec.MINILM)) { // MINILM_TOKENS random word pieces per sequence, no padding; random labels
            java.util.SplittableRandom r = new java.util.SplittableRandom(3);
            float[] ids = new float[batch * MINILM_TOKENS];
            float[] labels = new float[batch];
            for (int i = 0; i < ids.length; i++) ids[i] = 1 + r.nextInt(30521);
            for (int i = 0; i < batch; i++) labels[i] = r.nextInt(spec.classes());
            return new Batch(org.nd4j.linalg.factory.Nd4j.create(ids, new long[] {batch, MINILM_TOKENS}, 'c'),
                    org.nd4j.linalg.factory.Nd4j.create(labels, new long[] {batch}, 'c'));
        }
        if (spec.isLanguageModel()) {
            return MinibatchSampler.draw(new SyntheticText(0.5, 1).targetTrain(64, spec.context(), 1), batch, 3);
        }
        return MinibatchSampler.draw(new SyntheticClassification(spec.inputs(), spec.classes(), 0.5, 1).targetTrain(4096, 1), batch, 3);
    }

    private static void bench(Case c, int[] threadCounts, double seconds) {
        Model m = Models.create(c.spec());
        Batch b = batchFor(c.spec(), c.batch());
        ParameterVector theta = Models.initialParameters(c.spec(), 1);
        List<String> names = new ArrayList<>();
        List<Runnable> ops = new ArrayList<>();
        names.add("forward");
        ops.add(() -> m.loss(theta, b));
        int firstStep = ops.size();
        long[] seed = {0};
        for (Distribution dist : Distribution.values()) {
            for (int threads : threadCounts) {
                // a model per estimator, as on a node: the fused pass keeps its buffers in the model
                SpsaEstimator est = new SpsaEstimator(Models.create(c.spec()), new PerturbationStream(dist), EPS, threads);
                names.add(dist.id() + " " + threads);
                ops.add(() -> est.evaluate(theta, seed[0]++, b));
            }
        }
        int n = ops.size();
        List<List<double[]>> samples = new ArrayList<>(); // per op: {wall ms, cpu ms}
        for (int k = 0; k < n; k++) {
            samples.add(new ArrayList<>());
        }
        long warmEnd = System.nanoTime() + (long) (0.2 * seconds * 1e9);
        while (System.nanoTime() < warmEnd) {
            for (Runnable op : ops) {
                op.run();
            }
        }
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end || samples.get(0).size() < 5) {
            for (int k = 0; k < n; k++) {
                long cpu0 = cpuNanos();
                long wall0 = System.nanoTime();
                ops.get(k).run();
                samples.get(k).add(new double[] {(System.nanoTime() - wall0) / 1e6, (cpuNanos() - cpu0) / 1e6});
            }
        }
        double fwdWall = percentile(samples.get(0), 0, 0.1);
        double fwdCpu = percentile(samples.get(0), 1, 0.5);
        long inference = footprintOfChild(c, "inference", 1);
        int k = firstStep;
        long[] spsaByThreads = new long[threadCounts.length];
        for (int t = 0; t < threadCounts.length; t++) {
            spsaByThreads[t] = footprintOfChild(c, "spsa", threadCounts[t]);
        }
        for (Distribution dist : Distribution.values()) {
            for (int t = 0; t < threadCounts.length; t++, k++) {
                double stepWall = percentile(samples.get(k), 0, 0.1);
                double stepCpu = percentile(samples.get(k), 1, 0.5);
                long spsa = spsaByThreads[t];
                System.out.printf(Locale.ROOT, "%-34s %9d %6d %-10s %3d %9.3f %9.3f %8.2f %8.2f %9.1f %9.1f %6.2f%n",
                        c.label(), m.numParams(), c.batch(), dist.id(), threadCounts[t], fwdWall, stepWall, stepWall / fwdWall,
                        stepCpu / fwdCpu, inference / 1048576.0, spsa / 1048576.0,
                        (double) spsa / Math.max(1, inference));
            }
        }
    }

    /** CPU nanoseconds of the calling thread plus those of helper threads working for it. */
    private static long cpuNanos() {
        return THREADS.getCurrentThreadCpuTime() + HelperCpuTime.chargedToCurrentThreadNanos();
    }

    private static double percentile(List<double[]> samples, int column, double q) {
        double[] v = samples.stream().mapToDouble(s -> s[column]).sorted().toArray();
        return v[(int) (q * (v.length - 1))];
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Runs this class in a fresh JVM measuring one footprint (see the class comment); returns it in bytes. */
    private static long footprintOfChild(Case c, String mode, int threads) {
        try {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms512m",
                    "-Xmx512m", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"), ModelBench.class.getName(),
                    "--child", mode, c.spec().toString(), Integer.toString(c.batch()), Integer.toString(threads))
                    .redirectErrorStream(true);
            pb.environment().put("MALLOC_MMAP_THRESHOLD_", "65536");
            pb.environment().put("MALLOC_TRIM_THRESHOLD_", "0");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            for (String line : out.split("\n")) {
                if (line.startsWith("FOOTPRINT ")) {
                    String[] f = line.trim().split(" ");
                    return Long.parseLong(f[1]) + Math.max(0, Long.parseLong(f[2]));
                }
            }
            throw new IllegalStateException("child printed no footprint:\n" + out);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Child: warm up on a tiny model, take a baseline, then do the work on the real one; print off-heap peak and heap. */
    private static void child(String mode, ModelSpec spec, int batch, int threads) throws Exception {
        Models.limitNativeThreads(1);
        ModelSpec tiny = spec.kind().equals(ModelSpec.MINILM) ? spec // one shape only: warm up on itself
                : spec.isLanguageModel() ? ModelSpec.transformerLm(1, 1, 8, 8) : ModelSpec.mlp(spec.inputs(), List.of(4, 4),
                spec.classes(), "relu");
        Reference.reachabilityFence(work(mode, tiny, batch, threads));
        System.out.println(ProcessMemory.growthOf(() -> work(mode, spec, batch, threads)).line());
    }

    /** Builds the model, θ and a batch and runs the mode (3 forward passes or 3 SPSA steps); returns what stays alive. */
    private static Object work(String mode, ModelSpec spec, int batch, int threads) {
        Model m = Models.create(spec);
        Batch b = batchFor(spec, batch);
        ParameterVector theta = Models.initialParameters(spec, 1);
        switch (mode) {
            case "inference" -> {
                for (int i = 0; i < 3; i++) {
                    m.loss(theta, b);
                }
                return new Object[] {m, b, theta};
            }
            case "spsa" -> {
                SpsaEstimator est = new SpsaEstimator(m, new PerturbationStream(Distribution.GAUSSIAN), EPS, threads);
                for (int i = 0; i < 3; i++) {
                    est.evaluate(theta, i, b);
                }
                return new Object[] {m, b, theta, est};
            }
            default -> throw new IllegalArgumentException("mode must be inference or spsa: " + mode);
        }
    }
}
