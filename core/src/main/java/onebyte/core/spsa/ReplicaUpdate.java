package onebyte.core.spsa;

import onebyte.core.perturbation.Parallel;

import onebyte.core.perturbation.PerturbationStream;

import onebyte.core.perturbation.SeedMixer;

import onebyte.core.tensor.ParameterVector;

import java.util.List;

/**
 * The replica update of SPEC §2, fused:
 * θ ← θ − (η / n) Σ_{(i,k,q) ∈ commit} D(q) · Z(s_{i,r,k}),  s_{i,r,k} = SeedMixer.contributionSeed(runSeed, i, r, k).
 *
 * <p><b>Exact arithmetic (part of a run's identity).</b> With n = commit.n():
 * <ol>
 *   <li>Each contribution k gets the float coefficient {@code c_k = (float) ((lr / n) * D(q_k))},
 *       computed in double then rounded once. Contributions with c_k == 0 are skipped (they would
 *       only turn −0 into +0), and their directions are not generated.</li>
 *   <li>With weight decay λ ≠ 0, first {@code θ[i] = θ[i] - w * θ[i]} with {@code w = (float) (lr * λ)}
 *       (decoupled decay, applied even when the commit is empty; skipped when w == 0).</li>
 *   <li>Then for k in commit order (sorted by (nodeId, sample)): {@code θ[i] = θ[i] - c_k * z_k[i]}
 *       in float32 (plain Java float ops, no FMA).</li>
 * </ol>
 * Each element sees the same sequence of float operations whatever the chunking of the work or the
 * thread count, so the result is bit-identical to {@link #applyOneByOne} and across replicas.
 *
 * <p><b>Fusion.</b> θ is split into the stream's chunks, distributed over threads; a thread reads a
 * chunk of θ into a reusable heap buffer once, regenerates that chunk of every z_k on the fly and
 * accumulates it ({@link PerturbationStream#accumulateChunk}), and writes the chunk back once.
 * Memory: one chunk buffer per thread (256 KiB by default).
 *
 * <p>Instances are immutable and may be shared; concurrent {@code apply} calls on different θ
 * are fine.
 */
public final class ReplicaUpdate {
    private final PerturbationStream stream;
    private final ByteCodec codec;
    private final long runSeed;
    private final int threads;
    private final double weightDecay;

    /** No weight decay. */
    public ReplicaUpdate(PerturbationStream stream, ByteCodec codec, long runSeed, int threads) {
        this(stream, codec, runSeed, threads, 0.0);
    }

    /** @param weightDecay decoupled decay λ ≥ 0 (θ ← θ − η·λ·θ each round, before the contributions) */
    public ReplicaUpdate(PerturbationStream stream, ByteCodec codec, long runSeed, int threads, double weightDecay) {
        if (stream == null || codec == null) {
            throw new IllegalArgumentException("stream and codec must not be null");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
        }
        this.stream = stream;
        this.codec = codec;
        this.runSeed = runSeed;
        this.threads = threads;
        this.weightDecay = weightDecay;
    }

    public PerturbationStream stream() {
        return stream;
    }

    public ByteCodec codec() {
        return codec;
    }

    public long runSeed() {
        return runSeed;
    }

    public int threads() {
        return threads;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /**
     * The per-round plan: seeds and float coefficients of the non-zero contributions, in order,
     * and the decay factor. Two equal plans (same seeds, same coefficient bits, same decay bits)
     * perform the same float operations on every chunk, which is what {@link SharedReplicaUpdate}
     * keys its cache on.
     */
    record Plan(long[] seeds, float[] coef, float decay) {
        /** Nothing to do: no contribution and no decay. */
        boolean isEmpty() {
            return seeds.length == 0 && decay == 0f;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Plan p && Float.floatToRawIntBits(decay) == Float.floatToRawIntBits(p.decay)
                    && java.util.Arrays.equals(seeds, p.seeds)
                    && java.util.Arrays.equals(floatBits(coef), floatBits(p.coef));
        }

        @Override
        public int hashCode() {
            return 31 * (31 * java.util.Arrays.hashCode(seeds) + java.util.Arrays.hashCode(floatBits(coef)))
                    + Float.floatToRawIntBits(decay);
        }

        @Override
        public String toString() {
            return "Plan[" + seeds.length + " contributions, decay " + decay + "]";
        }

        private static int[] floatBits(float[] f) {
            int[] b = new int[f.length];
            for (int i = 0; i < f.length; i++) {
                b[i] = Float.floatToRawIntBits(f[i]);
            }
            return b;
        }
    }

    /** A commit with the learning rate it is applied with: one round for {@link #applyRounds}. */
    public record Step(RoundCommit commit, double lr) {}

    /** The plan of one commit; throws (nothing applied) on a non-finite lr or a code of the wrong width. */
    Plan plan(RoundCommit commit, double lr) {
        if (!Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite, got " + lr);
        }
        List<Contribution> cs = commit.contributions();
        int n = cs.size();
        if (n > 0 && commit.width() != codec.width()) {
            throw new IllegalArgumentException("round " + commit.round() + ": codes are " + commit.width()
                    + " byte(s) wide but codec " + codec.name() + " expects " + codec.width());
        }
        long[] seeds = new long[n];
        float[] coef = new float[n];
        int m = 0;
        for (Contribution c : cs) {
            double g = codec.decode(c.code()); // may throw: nothing has been applied yet
            float ck = (float) ((lr / n) * g);
            if (ck != 0f) {
                seeds[m] = SeedMixer.contributionSeed(runSeed, c.nodeId(), commit.round(), c.sample());
                coef[m] = ck;
                m++;
            }
        }
        float decay = (float) (lr * weightDecay);
        return new Plan(java.util.Arrays.copyOf(seeds, m), java.util.Arrays.copyOf(coef, m), decay);
    }

    /**
     * θ ← θ − (lr / n) Σ D(q)·Z(s_{i,r,k}) in (nodeId, sample) order; per chunk, contributions applied
     * sequentially element-wise in float32, so the result is bit-identical to applying them one by one
     * in the same order; θ read/written once per round.
     */
    public void apply(ParameterVector theta, RoundCommit commit, double lr) {
        applyPlans(theta, new Plan[] {plan(commit, lr)});
    }

    /**
     * Applies several rounds' commits, in list order, fused: θ is read and written once per chunk
     * for all of them, and per element the float operations are exactly those of applying the
     * rounds one after the other with {@link #apply} (each round's decay, then its contributions),
     * so the result is bit-identical. Every commit is decoded before anything is applied.
     */
    public void applyRounds(ParameterVector theta, List<Step> rounds) {
        Plan[] plans = new Plan[rounds.size()];
        for (int i = 0; i < plans.length; i++) {
            plans[i] = plan(rounds.get(i).commit(), rounds.get(i).lr());
        }
        applyPlans(theta, plans);
    }

    private void applyPlans(ParameterVector theta, Plan[] plans) {
        boolean empty = true;
        for (Plan p : plans) {
            empty &= p.isEmpty();
        }
        if (empty) {
            return;
        }
        int d = theta.length();
        int chunks = stream.chunks(d);
        int workers = Parallel.workers(chunks, threads);
        int cs = stream.chunkSize();
        float[][] tBuf = new float[workers][Math.min(cs, d)];
        Parallel.run(chunks, workers, (w, c) -> {
            float[] t = tBuf[w];
            int off = c * cs;
            int len = stream.chunkLength(d, c);
            theta.get(off, t, 0, len);
            for (Plan p : plans) {
                applyChunk(p, c, t, len);
            }
            theta.put(off, t, 0, len);
        });
    }

    /** One round's float operations on chunk c, held in t[0, len): the decay, then every contribution in order. */
    void applyChunk(Plan p, int c, float[] t, int len) {
        if (p.decay != 0f) {
            decay(t, len, p.decay);
        }
        for (int k = 0; k < p.seeds.length; k++) {
            stream.accumulateChunk(p.seeds[k], c, t, len, p.coef[k]);
        }
    }

    /**
     * The reference implementation: the same float operations as {@link #apply}, but contribution by
     * contribution over the whole vector (each z_k generated in full on one thread, θ read and
     * written once per contribution). Used by tests and the benchmark.
     */
    public void applyOneByOne(ParameterVector theta, RoundCommit commit, double lr) {
        Plan p = plan(commit, lr);
        int d = theta.length();
        float[] z = new float[d];
        float[] t = new float[d];
        if (p.decay != 0f) {
            theta.get(0, t, 0, d);
            decay(t, d, p.decay);
            theta.put(0, t, 0, d);
        }
        for (int k = 0; k < p.seeds.length; k++) {
            stream.fill(p.seeds[k], z, 1);
            theta.get(0, t, 0, d);
            axpy(t, z, d, p.coef[k]);
            theta.put(0, t, 0, d);
        }
    }

    private static void decay(float[] t, int len, float w) {
        for (int i = 0; i < len; i++) {
            t[i] = t[i] - w * t[i];
        }
    }

    private static void axpy(float[] t, float[] z, int len, float c) {
        for (int i = 0; i < len; i++) {
            t[i] = t[i] - c * z[i];
        }
    }
}
