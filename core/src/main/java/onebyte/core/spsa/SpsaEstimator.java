package onebyte.core.spsa;

import onebyte.core.perturbation.HelperCpuTime;

import onebyte.core.perturbation.Parallel;

import onebyte.core.perturbation.PerturbedSlices;

import onebyte.core.perturbation.PerturbationStream;

import onebyte.core.tensor.ParameterVector;

import onebyte.core.data.Batch;
import onebyte.core.model.Model;
import onebyte.core.model.SymmetricPerturbedLoss;

/**
 * The two-point SPSA estimate of SPEC §2 step 4: ĝ = (L(θ + εz) − L(θ − εz)) / (2ε) with z = Z(seed).
 * <b>θ is never written</b>, and <b>z is generated once</b> per evaluation. Two ways, chosen by the model:
 *
 * <ul>
 *   <li><b>Fused</b> (the model implements {@link SymmetricPerturbedLoss}, the dense logreg/mlp and the transformer):
 *       the model evaluates both points in one pass over θ, building θ ± εz slice by slice
 *       ({@link PerturbedSlices}); no scratch vector is used or needed. <b>Memory</b>: θ (4d bytes) +
 *       the model's slice buffers (a few MiB at most, see the model) + two sets of activations.
 *   <li><b>Scratch copy</b> (any other model): chunk by chunk, z's chunk is
 *       generated into a per-thread buffer and {@code scratch[i] = θ[i] + e * z[i]} with
 *       {@code e = (float) eps} (plain float32 Java arithmetic), then l+ = loss(scratch); then, without
 *       generating z again, {@code scratch[i] = θ[i] - (scratch[i] - θ[i])}, i.e. θ − εz up to one
 *       float rounding per element (the εz recovered from θ + εz carries that addition's rounding),
 *       then l− = loss(scratch). <b>Memory</b>: θ (4d bytes) + one scratch copy (4d bytes) + two
 *       chunk buffers of {@code chunkSize} floats (2 × 256 KiB by default) per thread, plus whatever
 *       the model needs for one forward pass. The scratch is the caller's or, with
 *       {@link #evaluate(ParameterVector, long, Batch)}, allocated by the estimator on first use and
 *       kept; its contents on return are the second point. (In-place +εz/−2εz/+εz à la MeZO is not
 *       used: it does not restore θ bit-exactly.)
 * </ul>
 *
 * <p>ĝ itself is computed in double: {@code (lPlus - lMinus) / (2.0 * e)} with e widened to
 * double, so the quotient uses the step actually applied. It is only the input of the codec, so
 * its exact bits need not agree across nodes (the transmitted code is what all replicas use); it
 * is deterministic for a given (θ, seed, batch, stream) on any thread count.
 *
 * <p>An instance calls the model, which must not be used from two threads at once (see
 * {@link Model}); give each evaluating thread its own estimator and model. With {@code threads >= 2}
 * the estimator itself uses pooled helper threads, whose CPU time is charged to the caller
 * ({@link HelperCpuTime}).
 */
public final class SpsaEstimator {
    /** The default perturbation scale ε. */
    public static final float DEFAULT_EPS = 1e-3f;

    private final Model model;
    private final PerturbationStream stream;
    private final float eps;
    private final int threads;
    /** The model's fused evaluation, or null when it needs a scratch copy. */
    private final SymmetricPerturbedLoss fused;
    /** Scratch vector of {@link #evaluate(ParameterVector, long, Batch)}, allocated on first use. */
    private ParameterVector ownScratch;

    /** Uses all available processors to build the perturbed points. */
    public SpsaEstimator(Model model, PerturbationStream stream, float eps) {
        this(model, stream, eps, Parallel.defaultThreads());
    }

    public SpsaEstimator(Model model, PerturbationStream stream, float eps, int threads) {
        if (model == null || stream == null) {
            throw new IllegalArgumentException("model and stream must not be null");
        }
        if (!(eps > 0) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.model = model;
        this.stream = stream;
        this.eps = eps;
        this.threads = threads;
        this.fused = model instanceof SymmetricPerturbedLoss f ? f : null;
    }

    public float eps() {
        return eps;
    }

    public PerturbationStream stream() {
        return stream;
    }

    /** The two losses and the estimate of one evaluation. */
    public record Result(double gHat, double lossPlus, double lossMinus) {
        /** (l+ + l−)/2, a cheap estimate of the training loss at θ. */
        public double meanLoss() {
            return 0.5 * (lossPlus + lossMinus);
        }
    }

    /**
     * True when evaluations need a d-element scratch vector (the model does not implement
     * {@link SymmetricPerturbedLoss}); when false, callers need not allocate one.
     */
    public boolean needsScratch() {
        return fused == null;
    }

    /** ĝ = (L(θ+εz) − L(θ−εz)) / 2ε; theta is never written. */
    public double estimate(ParameterVector theta, ParameterVector scratch, long seed, Batch batch) {
        return evaluate(theta, scratch, seed, batch).gHat();
    }

    /**
     * ĝ and both losses; theta is never written. The scratch vector is used only when
     * {@link #needsScratch()} (then it must be a d-element vector other than theta); otherwise it may
     * be null and is left untouched.
     */
    public Result evaluate(ParameterVector theta, ParameterVector scratch, long seed, Batch batch) {
        if (theta.length() != model.numParams()) {
            throw new IllegalArgumentException("theta has " + theta.length() + " params, model expects " + model.numParams());
        }
        double lPlus;
        double lMinus;
        if (fused != null) {
            SymmetricPerturbedLoss.Losses l = fused.symmetricPerturbedLosses(theta, stream, seed, eps, batch, threads);
            lPlus = l.plus();
            lMinus = l.minus();
        } else {
            if (scratch == null) {
                throw new IllegalArgumentException("this model needs a scratch vector (see needsScratch())");
            }
            if (theta == scratch) {
                throw new IllegalArgumentException("scratch must be a different vector than theta");
            }
            perturb(theta, scratch, seed, eps);
            lPlus = model.loss(scratch, batch);
            reflect(theta, scratch);
            lMinus = model.loss(scratch, batch);
        }
        return new Result((lPlus - lMinus) / (2.0 * (double) eps), lPlus, lMinus);
    }

    /**
     * As {@link #evaluate(ParameterVector, ParameterVector, long, Batch)}, with a scratch vector the
     * estimator allocates on the first call that needs one and keeps (none for a fused model).
     */
    public Result evaluate(ParameterVector theta, long seed, Batch batch) {
        if (fused == null && (ownScratch == null || ownScratch.length() != theta.length())) {
            ownScratch = null; // a wrong-sized old one can go before the new one is allocated
            ownScratch = new ParameterVector(theta.length());
        }
        return evaluate(theta, ownScratch, seed, batch);
    }

    /**
     * scratch ← θ + scale·Z(seed), element-wise {@code scratch[i] = theta[i] + scale * z[i]} in float32
     * (for negative scale this equals {@code theta[i] - |scale| * z[i]} bit for bit). θ is only read.
     */
    public void perturb(ParameterVector theta, ParameterVector scratch, long seed, float scale) {
        int d = theta.length();
        if (scratch.length() != d) {
            throw new IllegalArgumentException("scratch has " + scratch.length() + " elements, theta " + d);
        }
        int chunks = stream.chunks(d);
        int workers = Parallel.workers(chunks, threads);
        int cs = stream.chunkSize();
        float[][] zBuf = new float[workers][Math.min(cs, d)];
        float[][] tBuf = new float[workers][Math.min(cs, d)];
        Parallel.run(chunks, workers, (w, c) -> {
            float[] z = zBuf[w];
            float[] t = tBuf[w];
            int off = c * cs;
            int len = stream.chunkLength(d, c);
            stream.fillChunk(seed, c, z, 0, len);
            theta.get(off, t, 0, len);
            for (int i = 0; i < len; i++) {
                t[i] = t[i] + scale * z[i];
            }
            scratch.put(off, t, 0, len);
        });
    }

    /**
     * scratch ← θ − (scratch − θ) element-wise in float32: turns θ + εz into θ − εz (up to one rounding
     * per element) without generating z again. θ is only read.
     */
    private void reflect(ParameterVector theta, ParameterVector scratch) {
        int d = theta.length();
        int chunks = stream.chunks(d);
        int workers = Parallel.workers(chunks, threads);
        int cs = stream.chunkSize();
        float[][] sBuf = new float[workers][Math.min(cs, d)];
        float[][] tBuf = new float[workers][Math.min(cs, d)];
        Parallel.run(chunks, workers, (w, c) -> {
            float[] s = sBuf[w];
            float[] t = tBuf[w];
            int off = c * cs;
            int len = stream.chunkLength(d, c);
            theta.get(off, t, 0, len);
            scratch.get(off, s, 0, len);
            for (int i = 0; i < len; i++) {
                s[i] = t[i] - (s[i] - t[i]);
            }
            scratch.put(off, s, 0, len);
        });
    }
}
