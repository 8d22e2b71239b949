package onebyte.core.spsa;

import onebyte.core.data.Batch;
import onebyte.core.model.Model;

/**
 * The two-point SPSA estimate of SPEC §2 step 4: ĝ = (L(θ + εz) − L(θ − εz)) / (2ε) with z = Z(seed).
 *
 * <p><b>θ is never written.</b> Both perturbed points are materialised in a caller-provided scratch
 * vector: chunk by chunk, z's chunk is generated into a per-thread buffer and
 * {@code scratch[i] = θ[i] + e * z[i]} (then {@code θ[i] - e * z[i]}) with {@code e = (float) eps},
 * plain float32 Java arithmetic. z is regenerated for the second point instead of being stored.
 * <b>Memory</b>: θ (4d bytes) + one scratch copy (4d bytes) + two chunk buffers of
 * {@code chunkSize} floats (2 × 256 KiB by default) per thread, plus whatever the model needs for one
 * forward pass. The scratch vector can be reused across calls and its contents on return are
 * θ − εz. (In-place +εz/−2εz/+εz à la MeZO is not used: it does not restore θ bit-exactly.)
 *
 * <p>ĝ itself is computed in double: {@code (lPlus - lMinus) / (2.0 * e)} with e widened to
 * double, so the quotient uses the step actually applied. It is only the input of the codec, so
 * its exact bits need not agree across nodes (the transmitted code is what all replicas use).
 *
 * <p>An instance holds no mutable state of its own, but it calls the model, which must not be used
 * from two threads at once (see {@link Model}); give each evaluating thread its own estimator and model.
 */
public final class SpsaEstimator {
    /** The default perturbation scale ε. */
    public static final float DEFAULT_EPS = 1e-3f;

    private final Model model;
    private final PerturbationStream stream;
    private final float eps;
    private final int threads;

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

    /** ĝ = (L(θ+εz) − L(θ−εz)) / 2ε evaluated on a scratch copy; theta is never written. */
    public double estimate(ParameterVector theta, ParameterVector scratch, long seed, Batch batch) {
        return evaluate(theta, scratch, seed, batch).gHat();
    }

    /** As {@link #estimate}, also returning both losses. */
    public Result evaluate(ParameterVector theta, ParameterVector scratch, long seed, Batch batch) {
        if (theta == scratch) {
            throw new IllegalArgumentException("scratch must be a different vector than theta");
        }
        if (theta.length() != model.numParams()) {
            throw new IllegalArgumentException("theta has " + theta.length() + " params, model expects " + model.numParams());
        }
        perturb(theta, scratch, seed, eps);
        double lPlus = model.loss(scratch, batch);
        perturb(theta, scratch, seed, -eps);
        double lMinus = model.loss(scratch, batch);
        return new Result((lPlus - lMinus) / (2.0 * (double) eps), lPlus, lMinus);
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
}
