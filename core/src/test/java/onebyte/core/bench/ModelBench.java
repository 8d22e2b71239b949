package onebyte.core.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import onebyte.core.data.Batch;
import onebyte.core.data.MinibatchSampler;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.data.SyntheticText;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.spsa.ParameterVector;

/**
 * Forward-pass time per model size, the cost of one SPSA step relative to one forward pass, and
 * native memory of an SPSA step relative to inference, measured in one run.
 *
 * <p>SPSA step = z ~ N(0, I) for all d coordinates (SplittableRandom, as a single-chunk stand-in for
 * the engine's chunked generator) + write θ+εz into a scratch vector + forward + write θ−εz +
 * forward. θ itself is never touched (bit-exact by construction). Also reported: the step without
 * the z generation (perturbation + two forwards), the part this module controls.
 *
 * <p>Memory: peak resident set (VmHWM) of three fresh child JVMs (-Xmx1g, one native thread) that
 * build the model, θ and the batch and then do nothing ("idle"), 50 forward passes ("inference"),
 * or 25 SPSA steps ("spsa"). Printed: idle peak, and the peak above idle of inference and of SPSA,
 * and their ratio. Times are 10th percentiles of single calls, the three operations alternating
 * call by call. The ratio columns: spsa/fwd (with z generation) and ratio* (without).
 *
 * <p>Run: {@code mvn -B -q -o -pl core -am test-compile && java -cp core/target/test-classes:core/target/classes:$(cat core/target/cp.txt) onebyte.core.bench.ModelBench}
 * after {@code mvn -B -q -o -pl core dependency:build-classpath -Dmdep.outputFile=target/cp.txt}.
 * Args: [threads (default 1)] [seconds per measurement (default 3)].
 */
public final class ModelBench {
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("--child")) {
            child(args[1], ModelSpec.parse(args[2]));
            return;
        }
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        Models.limitNativeThreads(threads);
        System.out.printf("ND4J native threads: %d; ~%.0fs per measurement%n", threads, seconds);
        System.out.printf("%-58s %9s %6s %10s %10s %10s %7s %7s %9s %9s %9s %6s%n", "model", "d", "batch", "fwd ms", "spsa ms",
                "pert+2fwd", "ratio", "ratio*", "idle MB", "+inf MB", "+spsa MB", "mem x");
        List<ModelSpec> specs = List.of(
                ModelSpec.logreg(32, 10),
                ModelSpec.mlp(32, List.of(256, 256), 10, "relu"),
                ModelSpec.transformerLm(2, 4, 64, 32),
                ModelSpec.defaultTransformerLm());
        for (ModelSpec spec : specs) {
            Model m = Models.create(spec);
            bench(spec, m, batchFor(spec), seconds);
        }
    }

    /** Classification: 64 examples of 32 features; LM: 8 windows of the full context. */
    private static Batch batchFor(ModelSpec spec) {
        if (spec.isLanguageModel()) {
            return MinibatchSampler.draw(new SyntheticText(0.5, 1).targetTrain(64, spec.context(), 1), 8, 3);
        }
        return MinibatchSampler.draw(new SyntheticClassification(spec.inputs(), spec.classes(), 0.5, 1).targetTrain(4096, 1), 64, 3);
    }

    private static void bench(ModelSpec spec, Model m, Batch b, double seconds) {
        int d = m.numParams();
        ParameterVector theta = Models.initialParameters(spec, 1);
        ParameterVector scratch = new ParameterVector(d);
        float[] th = theta.toArray();
        float[] z = new float[d];
        float[] tmp = new float[d];
        long[] seed = {0};
        Runnable forward = () -> m.loss(theta, b);
        Runnable perturbAndTwoForwards = () -> {
            for (int i = 0; i < d; i++) tmp[i] = th[i] + 1e-3f * z[i];
            scratch.put(0, tmp, 0, d);
            m.loss(scratch, b);
            for (int i = 0; i < d; i++) tmp[i] = th[i] - 1e-3f * z[i];
            scratch.put(0, tmp, 0, d);
            m.loss(scratch, b);
        };
        Runnable spsaStep = () -> {
            SplittableRandom r = new SplittableRandom(seed[0]++);
            for (int i = 0; i < d; i++) z[i] = (float) r.nextGaussian();
            perturbAndTwoForwards.run();
        };
        // interleave the three measurements so load from other processes hits them alike
        // Alternate the three operations call by call so load from other processes hits them alike,
        // time every call, and compare the 10th percentiles (robust to interference on a shared box).
        Runnable[] ops = {forward, spsaStep, perturbAndTwoForwards};
        double[][] samples = new double[3][];
        List<List<Double>> t = List.of(new java.util.ArrayList<>(), new java.util.ArrayList<>(), new java.util.ArrayList<>());
        long warmEnd = System.nanoTime() + (long) (0.2 * seconds * 1e9);
        while (System.nanoTime() < warmEnd) for (Runnable op : ops) op.run();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end || t.get(0).size() < 5) {
            for (int k = 0; k < 3; k++) {
                long a = System.nanoTime();
                ops[k].run();
                t.get(k).add((System.nanoTime() - a) / 1e6);
            }
        }
        for (int k = 0; k < 3; k++) samples[k] = t.get(k).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double fwd = percentile10(samples[0]);
        double spsa = percentile10(samples[1]);
        double pert = percentile10(samples[2]);
        long idle = peakRssOfChild(spec, "idle");
        long inf = peakRssOfChild(spec, "inference");
        long spsaPeak = peakRssOfChild(spec, "spsa");
        System.out.printf("%-58s %9d %6d %10.3f %10.3f %10.3f %7.2f %7.2f %9.1f %9.1f %9.1f %6.2f%n", spec, d, b.size(), fwd, spsa,
                pert, spsa / fwd, pert / fwd, idle / 1e6, (inf - idle) / 1e6, (spsaPeak - idle) / 1e6,
                (double) (spsaPeak - idle) / Math.max(1, inf - idle));
    }

    /** Runs this class in a fresh JVM doing only {@code mode} for a while; returns its peak RSS (VmHWM). */
    private static long peakRssOfChild(ModelSpec spec, String mode) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                    "-cp", System.getProperty("java.class.path"), ModelBench.class.getName(), "--child", mode, spec.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            for (String line : out.split("\n")) if (line.startsWith("VmHWM_BYTES ")) return Long.parseLong(line.substring(12).trim());
            throw new IllegalStateException("child printed no VmHWM:\n" + out);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Child: build the model, θ and a batch; do 50 evaluations of the given kind; print VmHWM. */
    private static void child(String mode, ModelSpec spec) throws Exception {
        Models.limitNativeThreads(1);
        Model m = Models.create(spec);
        Batch b = batchFor(spec);
        int d = m.numParams();
        ParameterVector theta = Models.initialParameters(spec, 1);
        if (mode.equals("inference")) {
            for (int i = 0; i < 50; i++) m.loss(theta, b);
        } else if (mode.equals("spsa")) {
            ParameterVector scratch = new ParameterVector(d);
            float[] th = theta.toArray();
            float[] z = new float[d];
            float[] tmp = new float[d];
            for (int it = 0; it < 25; it++) {
                SplittableRandom r = new SplittableRandom(it);
                for (int i = 0; i < d; i++) z[i] = (float) r.nextGaussian();
                for (int i = 0; i < d; i++) tmp[i] = th[i] + 1e-3f * z[i];
                scratch.put(0, tmp, 0, d);
                m.loss(scratch, b);
                for (int i = 0; i < d; i++) tmp[i] = th[i] - 1e-3f * z[i];
                scratch.put(0, tmp, 0, d);
                m.loss(scratch, b);
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                System.out.println("VmHWM_BYTES " + kb * 1024);
            }
        }
    }

    private static double percentile10(double[] sorted) {
        return sorted[sorted.length / 10];
    }


}
