package onebyte.coordinator.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.core.bert.MiniLm;
import onebyte.core.data.Batch;
import onebyte.core.data.Partitioner;
import onebyte.node.engine.WorkloadSpecs;
import onebyte.proto.WorkloadSpec;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.model.transformer.DenseBuffer;
import onebyte.core.model.transformer.Transformer;
import onebyte.core.model.transformer.TransformerConfig;
import onebyte.core.model.transformer.Weights;
import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.perturbation.PerturbedSlices;
import onebyte.core.spsa.SpsaEstimator;
import onebyte.core.tensor.ParameterVector;
import org.bytedeco.javacpp.FloatPointer;

/**
 * {@code onebyte bench transformer}: the transformer's speed against this machine's BLAS, measured in
 * one run on one thread (ND4J/OpenBLAS limited to one thread, SPSA without a helper thread):
 *
 * <ul>
 *   <li>{@code sgemm GFLOP/s}: a plain single-precision 1024×384×1536 product (M×K×N) on kept buffers;
 *   <li>{@code fwd ms} and {@code fwd GFLOP/s}: one forward pass, the model's matmul FLOPs (every
 *       dense layer, Q·Kᵀ and P·V, the LM head) over its time; {@code fwd/sgemm} their ratio;
 *   <li>{@code spsa/fwd}: one SPSA step (both points θ ± εz from z drawn once) over one forward;
 *   <li>{@code grad/fwd}: one gradient pass (forward with every activation kept, then backward) over
 *       one forward.
 * </ul>
 *
 * A {@code transformer-lm} or {@code minilm} spec runs the model a node runs ({@link Model#loss}, {@link
 * SpsaEstimator#evaluate}, {@link Model#lossAndGradient}, on a batch of random tokens); an encoder
 * config runs the bare {@link Transformer} stack (forward to last_hidden_state, the two-point pass
 * over slices of θ, forwardTraced + backward with a fixed dL/d(hidden)). The operations alternate
 * call by call (so load from other processes hits them alike) for at least the given seconds; each
 * figure is the median thread CPU time of its calls. Memory for a model spec: the median of three
 * fresh-JVM footprints ({@link Footprint#replica}: peak resident set above a warmed-up baseline plus
 * retained heap) of an inference replica (model, θ, three forward passes) and of an SPSA replica
 * (model, θ, the node's engine, three SPSA samples and a commit), at the bench's batch size.
 */
public final class TransformerBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int GEMM_M = 1024;
    private static final int GEMM_K = 384;
    private static final int GEMM_N = 1536;
    private static final int FOOTPRINT_RUNS = 3;

    /** What to measure: exactly one of {@code lm} (a transformer-lm spec) or {@code encoder}. */
    public record Plan(ModelSpec lm, TransformerConfig encoder, int batch, int len, double seconds, boolean memory, long seed) {}

    /** One measured subject. */
    public record Result(String label, int params, double matmulFlops, double sgemmGflops, double forwardMs, double spsaMs,
                         double gradientMs, Double memoryRatio, long inferenceBytes, long spsaBytes) {
        double forwardGflops() {
            return matmulFlops / (forwardMs * 1e6);
        }
    }

    private interface Subject {
        void forward();

        void spsaStep(long seed);

        void gradient();
    }

    private TransformerBench() {}

    public static Result run(Plan plan, PrintStream out) throws Exception {
        Models.limitNativeThreads(1);
        Subject subject;
        String label;
        int params;
        TransformerConfig c;
        if (plan.lm() != null) {
            ModelSpec s = plan.lm();
            c = s.isLanguageModel() ? TransformerConfig.causalLm(s.vocab(), s.context(), s.width(), s.layers(), s.heads()) : MiniLm.CONFIG;
            label = s + " batch " + plan.batch() + "×" + plan.len();
            ModelSubject lm = new ModelSubject(s, plan.batch(), plan.len(), plan.seed());
            params = lm.model.numParams();
            subject = lm;
        } else {
            c = plan.encoder();
            label = describe(c) + " batch " + plan.batch() + "×" + plan.len();
            EncoderSubject e = new EncoderSubject(c, plan.batch(), plan.len(), plan.seed());
            params = e.stack.numParams();
            subject = e;
        }
        double flops = matmulFlops(c, plan.batch(), plan.len());
        out.println("transformer bench: " + label + ", " + params + " parameters, " + String.format(Locale.ROOT, "%.1f", flops / 1e6)
                + " MFLOP of matmuls per forward; one thread; ≥ " + plan.seconds() + " s of alternating calls");
        Sgemm gemm = new Sgemm();
        List<double[]> t = new ArrayList<>();
        long seed = 1;
        for (int warm = 0; warm < 3; warm++) {
            gemm.run();
            subject.forward();
            subject.spsaStep(seed++);
            subject.gradient();
        }
        long until = System.nanoTime() + (long) (plan.seconds() * 1e9);
        while (t.size() < 7 || System.nanoTime() < until) {
            double[] r = new double[4];
            r[0] = cpu(gemm::run);
            r[1] = cpu(subject::forward);
            long s = seed++;
            r[2] = cpu(() -> subject.spsaStep(s));
            r[3] = cpu(subject::gradient);
            t.add(r);
        }
        double gemmS = median(t, 0);
        print(new Result(label, params, flops, 2.0 * GEMM_M * GEMM_K * GEMM_N / gemmS / 1e9, median(t, 1) * 1e3, median(t, 2) * 1e3,
                median(t, 3) * 1e3, null, 0, 0), t.size(), out);
        double sgemmGflops = 2.0 * GEMM_M * GEMM_K * GEMM_N / gemmS / 1e9;
        Double memRatio = null;
        long inf = 0;
        long spsa = 0;
        if (plan.memory() && plan.lm() != null && !plan.lm().isLanguageModel()) {
            out.println("memory: no workload for " + plan.lm() + " yet (it needs labelled text); ModelBench measures it (see BENCHMARKS.md)");
        } else if (plan.memory() && plan.lm() != null) {
            WorkloadSpec workload = WorkloadSpec.newBuilder()
                    .setModel(WorkloadSpecs.model(plan.lm()))
                    .setData(WorkloadSpec.Data.newBuilder().setTrainSize(512).setEvalSize(64)
                            .setSyntheticText(WorkloadSpec.SyntheticTextData.newBuilder().setShift(0.5)))
                    .setPartition(WorkloadSpecs.partition(Partitioner.parse("iid")))
                    .setPretraining(WorkloadSpec.Pretraining.newBuilder().setSteps(0).setLr(1e-3).setBatchSize(16))
                    .build();
            inf = medianFootprint("inference", workload, plan);
            spsa = medianFootprint("spsa", workload, plan);
            memRatio = (double) spsa / inf;
        }
        Result res = new Result(label, params, flops, sgemmGflops, median(t, 1) * 1e3, median(t, 2) * 1e3, median(t, 3) * 1e3,
                memRatio, inf, spsa);
        if (memRatio != null) {
            out.println(String.format(Locale.ROOT, "memory (fresh JVMs, median of %d): inference %.2f MB, SPSA replica %.2f MB, "
                    + "spsa/inference %.2f (goal <= 1.5)", FOOTPRINT_RUNS, inf / 1048576.0, spsa / 1048576.0, memRatio));
        }
        return res;
    }

    /** Median of {@value #FOOTPRINT_RUNS} fresh-JVM footprints ({@link Footprint#replica}) of one replica at the plan's batch. */
    private static long medianFootprint(String mode, WorkloadSpec workload, Plan plan) throws Exception {
        SpsaRunSettings d = ScenarioSettings.spsaDefaults().build();
        long[] v = new long[FOOTPRINT_RUNS];
        for (int i = 0; i < v.length; i++) {
            v[i] = Footprint.replica(mode, workload, plan.seed(), plan.batch(), 4, d.distribution(), d.chunkSize(), d.codec(), d.eps(), 1)
                    .total();
        }
        Arrays.sort(v);
        return v[v.length / 2];
    }

    static void print(Result r, int rounds, PrintStream out) {
        out.println(String.format(Locale.ROOT, "sgemm %dx%dx%d: %.1f GFLOP/s (median of %d)", GEMM_M, GEMM_K, GEMM_N, r.sgemmGflops(),
                rounds));
        out.println(String.format(Locale.ROOT, "forward: %.2f ms, %.1f GFLOP/s, fwd/sgemm %.2f (goal >= 0.50)", r.forwardMs(),
                r.forwardGflops(), r.forwardGflops() / r.sgemmGflops()));
        out.println(String.format(Locale.ROOT, "spsa step: %.2f ms, spsa/fwd %.2f (goal <= 2.3)", r.spsaMs(), r.spsaMs() / r.forwardMs()));
        out.println(String.format(Locale.ROOT, "gradient pass: %.2f ms, grad/fwd %.2f (goal <= 3)", r.gradientMs(),
                r.gradientMs() / r.forwardMs()));
    }

    /** 2·(multiply-adds) of every matrix product of one forward pass. */
    static double matmulFlops(TransformerConfig c, int batch, int len) {
        double n = (double) batch * len;
        double h = c.width();
        double perLayer = 2 * n * (4 * h * h + 2 * h * c.ffn()) + 2 * 2.0 * batch * len * len * h;
        double head = c.isEncoder() ? 0 : 2 * n * h * c.vocab();
        return c.layers() * perLayer + head;
    }

    static String describe(TransformerConfig c) {
        return String.format(Locale.ROOT, "bert:vocab=%d,positions=%d,types=%d,hidden=%d,layers=%d,heads=%d,ffn=%d,eps=%s", c.vocab(),
                c.maxPositions(), c.typeVocab(), c.width(), c.layers(), c.heads(), c.ffn(), c.lnEps());
    }

    private static double cpu(Runnable r) {
        long c0 = THREADS.getCurrentThreadCpuTime();
        r.run();
        return (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
    }

    private static double median(List<double[]> t, int k) {
        double[] v = t.stream().mapToDouble(r -> r[k]).toArray();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static int[] randomIds(int n, int from, int to, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = from + r.nextInt(to - from);
        return out;
    }

    /** The plain sgemm of the reference, on buffers kept between calls. */
    private static final class Sgemm {
        private final FloatPointer a = fill(GEMM_M * GEMM_K);
        private final FloatPointer b = fill(GEMM_K * GEMM_N);
        private final FloatPointer c = new FloatPointer((long) GEMM_M * GEMM_N);

        private static FloatPointer fill(int n) {
            FloatPointer p = new FloatPointer(n);
            SplittableRandom r = new SplittableRandom(n);
            for (int i = 0; i < n; i++) p.put(i, (float) r.nextGaussian());
            return p;
        }

        void run() {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, GEMM_M, GEMM_N, GEMM_K, 1f, a, GEMM_K, b, GEMM_N, 0f, c, GEMM_N);
        }
    }

    /**
     * transformer-lm or minilm as a node runs it; the batch is random tokens (LM: next-token
     * targets; minilm: ids 1.. with no padding, random class labels).
     */
    private static final class ModelSubject implements Subject {
        final Model model;
        final ParameterVector theta;
        final ParameterVector grad;
        final Batch batch;
        final SpsaEstimator estimator;

        ModelSubject(ModelSpec spec, int b, int t, long seed) {
            model = Models.create(spec);
            theta = Models.initialParameters(spec, seed);
            grad = new ParameterVector(model.numParams());
            float[] x = new float[b * t];
            boolean lm = spec.isLanguageModel();
            float[] y = new float[lm ? b * t : b];
            int[] ids = lm ? randomIds(b * t + 1, 0, spec.vocab(), seed) : randomIds(b * t, 1, MiniLm.CONFIG.vocab(), seed);
            for (int i = 0; i < x.length; i++) x[i] = ids[i];
            int[] labels = lm ? null : randomIds(b, 0, spec.classes(), seed + 1);
            for (int i = 0; i < y.length; i++) y[i] = lm ? ids[i + 1] : labels[i];
            batch = new Batch(org.nd4j.linalg.factory.Nd4j.create(x, new long[] {b, t}, 'c'),
                    org.nd4j.linalg.factory.Nd4j.create(y, lm ? new long[] {b, t} : new long[] {b}, 'c'));
            SpsaRunSettings d = ScenarioSettings.spsaDefaults().build();
            estimator = new SpsaEstimator(model, new PerturbationStream(Distribution.parse(d.distribution()), d.chunkSize()), d.eps(), 1);
        }

        @Override public void forward() { model.loss(theta, batch); }
        @Override public void spsaStep(long seed) { estimator.evaluate(theta, seed, batch); }
        @Override public void gradient() { model.lossAndGradient(theta, batch, grad); }
    }

    /** The bare encoder stack (what a BERT-based model kind runs before its head). */
    private static final class EncoderSubject implements Subject {
        final Transformer stack;
        final ParameterVector theta;
        final DenseBuffer thetaBuf;
        final DenseBuffer grad;
        final DenseBuffer dHidden;
        final int[] tokens;
        final int b;
        final int t;
        final int[] slices;
        final PerturbedSlices perturbed;

        EncoderSubject(TransformerConfig c, int b, int t, long seed) {
            this.stack = new Transformer(c);
            this.b = b;
            this.t = t;
            int d = stack.numParams();
            theta = new ParameterVector(d);
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < d; i++) theta.set(i, (float) (0.02 * r.nextGaussian()));
            thetaBuf = DenseBuffer.of(theta.array());
            grad = DenseBuffer.floats(d);
            dHidden = DenseBuffer.floats(b * t * c.width());
            for (int i = 0; i < dHidden.length(); i++) dHidden.set(i, r.nextGaussian() * 1e-3);
            tokens = randomIds(b * t, 1, c.vocab(), seed);
            slices = stack.layout().sliceLengths((int) Math.max(1 << 16, Math.min(1 << 18, d / 16)));
            SpsaRunSettings s = ScenarioSettings.spsaDefaults().build();
            perturbed = new PerturbedSlices(new PerturbationStream(Distribution.parse(s.distribution()), s.chunkSize()),
                    Arrays.stream(slices).max().orElseThrow(), 1);
        }

        @Override public void forward() { stack.forward(thetaBuf, 0, tokens, null, b, t); }

        @Override
        public void spsaStep(long seed) {
            try (PerturbedSlices.Pass pass = perturbed.start(theta, seed, SpsaEstimator.DEFAULT_EPS, slices)) {
                stack.forward(Weights.perturbed(pass), 2, tokens, null, b, t);
            }
        }

        @Override
        public void gradient() {
            stack.forwardTraced(thetaBuf, 0, tokens, null, b, t);
            stack.backward(thetaBuf, 0, dHidden, grad, 0);
        }
    }
}
