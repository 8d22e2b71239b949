package onebyte.core.model.transformer;

/**
 * Multi-head scaled dot-product self-attention on row-major [B·T, width] projections Q, K, V (row
 * b·T + t is position t of sequence b; head h owns columns [h·dh, (h+1)·dh)): per sequence and head,
 * {@code P = softmax(Q_h·K_hᵀ/√dh + mask)} and {@code ctx_h = P·V_h}, each product one gemm on the
 * head's columns as they lie.
 *
 * <p>Masks: {@code causal} lets position i see keys j ≤ i (the decoder); otherwise every key whose
 * token id is 0 ([PAD]) is hidden (the encoder's padding mask). A hidden key has probability exactly
 * 0. A row with every key hidden (a sequence of padding only) attends uniformly to all T keys, as
 * BERT's additive mask of the dtype's minimum does, and passes no gradient to the scores.
 *
 * <p>P is written per sequence and head at {@code probs[(b·heads + h)·T²]} when {@code keepAll}
 * (kept for the backward pass) and at {@code probs[0]} otherwise (inference: one T×T scratch).
 */
final class Attention {
    private final int heads;
    private final int headWidth;
    private final int width;
    private final boolean causal;

    Attention(int width, int heads, boolean causal) {
        this.width = width;
        this.heads = heads;
        this.headWidth = width / heads;
        this.causal = causal;
    }

    /** Scratch kept between calls: one T×T score matrix (and its gradient) in each precision, the key mask. */
    private float[] pf = new float[0];
    private float[] dpf = new float[0];
    private double[] pd = new double[0];
    private double[] dpd = new double[0];
    private float[] visible = new float[0];
    /** float32: the T×T mask of the current sequence (1: key visible to the query, else 0), and per key 0 or −∞. */
    private float[] mask = new float[0];
    private float[] hide = new float[0];

    void forward(DenseBuffer q, DenseBuffer k, DenseBuffer v, DenseBuffer ctx, DenseBuffer probs, boolean keepAll, int[] tokens,
                 int batch, int len) {
        double scale = 1 / Math.sqrt(headWidth);
        int tt = len * len;
        boolean exact = probs.isDouble();
        scratch(tt, len, exact);
        for (int b = 0; b < batch; b++) {
            boolean any = keys(tokens, b * len, len);
            if (!exact) flatMask(len);
            for (int h = 0; h < heads; h++) {
                int at = b * len * width + h * headWidth;
                int p0 = keepAll ? (b * heads + h) * tt : 0;
                Blas.gemm(false, true, len, len, headWidth, scale, q, at, width, k, at, width, 0, probs, p0, len);
                if (exact) {
                    probs.read(p0, pd, 0, tt);
                    for (int i = 0; i < len; i++) softmaxRow(pd, i * len, i, any, len);
                    probs.write(p0, pd, 0, tt);
                } else {
                    probs.read(p0, pf, 0, tt);
                    softmax(pf, any, len);
                    probs.write(p0, pf, 0, tt);
                }
                Blas.gemm(false, false, len, headWidth, len, 1, probs, p0, len, v, at, width, 0, ctx, at, width);
            }
        }
    }

    /**
     * Given dL/dctx and the kept P, writes dL/dQ, dL/dK, dL/dV ({@code dP} is a T×T scratch).
     */
    void backward(DenseBuffer q, DenseBuffer k, DenseBuffer v, DenseBuffer probs, DenseBuffer dCtx, DenseBuffer dq, DenseBuffer dk,
                  DenseBuffer dv, DenseBuffer dP, int[] tokens, int batch, int len) {
        double scale = 1 / Math.sqrt(headWidth);
        int tt = len * len;
        boolean exact = probs.isDouble();
        scratch(tt, len, exact);
        for (int b = 0; b < batch; b++) {
            boolean any = keys(tokens, b * len, len);
            for (int h = 0; h < heads; h++) {
                int at = b * len * width + h * headWidth;
                int p0 = (b * heads + h) * tt;
                Blas.gemm(false, true, len, len, headWidth, 1, dCtx, at, width, v, at, width, 0, dP, 0, len);
                Blas.gemm(true, false, len, headWidth, len, 1, probs, p0, len, dCtx, at, width, 0, dv, at, width);
                if (exact) {
                    probs.read(p0, pd, 0, tt);
                    dP.read(0, dpd, 0, tt);
                    softmaxBackward(pd, dpd, any, len, scale);
                    dP.write(0, dpd, 0, tt);
                } else {
                    probs.read(p0, pf, 0, tt);
                    dP.read(0, dpf, 0, tt);
                    softmaxBackward(pf, dpf, any, len, (float) scale);
                    dP.write(0, dpf, 0, tt);
                }
                Blas.gemm(false, false, len, headWidth, len, 1, dP, 0, len, k, at, width, 0, dq, at, width);
                Blas.gemm(true, false, len, headWidth, len, 1, dP, 0, len, q, at, width, 0, dk, at, width);
            }
        }
    }

    private void scratch(int tt, int len, boolean exact) {
        if (exact && pd.length < tt) {
            pd = new double[tt];
            dpd = new double[tt];
        } else if (!exact && pf.length < tt) {
            pf = new float[tt];
            dpf = new float[tt];
        }
        if (visible.length < len) {
            visible = new float[len];
            hide = new float[len];
        }
        if (!exact && mask.length < tt) mask = new float[tt];
    }

    /** Fills {@link #mask} and {@link #hide} from {@link #visible} and the causal rule. */
    private void flatMask(int len) {
        for (int j = 0; j < len; j++) hide[j] = visible[j] != 0 ? 0 : Float.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            for (int j = 0; j < len; j++) mask[i * len + j] = (!causal || j <= i) ? visible[j] : 0;
        }
    }

    /** Which keys of the sequence starting at row {@code first} are not padding (1, else 0); whether any is (always, when causal). */
    private boolean keys(int[] tokens, int first, int len) {
        boolean any = false;
        for (int j = 0; j < len; j++) {
            boolean seen = causal || tokens[first + j] != 0;
            visible[j] = seen ? 1 : 0;
            any |= seen;
        }
        return any;
    }

    /** dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale, row by row in place of dP; rows of a sequence of padding only get 0. */
    private static void softmaxBackward(double[] p, double[] dp, boolean any, int len, double scale) {
        for (int i = 0; i < len; i++) {
            int row = i * len;
            if (!any) {
                java.util.Arrays.fill(dp, row, row + len, 0);
                continue;
            }
            double dot = 0;
            for (int j = 0; j < len; j++) dot += p[row + j] * dp[row + j];
            for (int j = 0; j < len; j++) dp[row + j] = p[row + j] * (dp[row + j] - dot) * scale;
        }
    }

    private static void softmaxBackward(float[] p, float[] dp, boolean any, int len, float scale) {
        for (int i = 0; i < len; i++) {
            int row = i * len;
            if (!any) {
                java.util.Arrays.fill(dp, row, row + len, 0);
                continue;
            }
            float dot = 0;
            for (int j = 0; j < len; j++) dot += p[row + j] * dp[row + j];
            for (int j = 0; j < len; j++) dp[row + j] = p[row + j] * (dp[row + j] - dot) * scale;
        }
    }

    /** Row {@code query} of the scores at s[from, from + len) → probabilities, in place (float64: {@link Math#exp}). */
    private void softmaxRow(double[] s, int from, int query, boolean any, int len) {
        if (!any) {
            java.util.Arrays.fill(s, from, from + len, 1.0 / len);
            return;
        }
        int end = causal ? query + 1 : len;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < end; j++) if (visible[j] != 0) max = Math.max(max, s[from + j]);
        double sum = 0;
        for (int j = 0; j < len; j++) {
            double e = j < end && visible[j] != 0 ? Math.exp(s[from + j] - max) : 0;
            s[from + j] = e;
            sum += e;
        }
        double inv = 1 / sum;
        for (int j = 0; j < end; j++) s[from + j] *= inv;
    }

    /**
     * The float32 softmax of a T×T score matrix in place: per row the maximum over the visible keys
     * is taken out, then e = {@link Exp#negative}(s − max) times the mask (a hidden key gets exactly
     * 0) in one loop over all T² scores (vectorised by the JIT; rows alone are too short), then each
     * row is divided by its sum (summed in float64).
     */
    private void softmax(float[] s, boolean any, int len) {
        int tt = len * len;
        if (!any) {
            java.util.Arrays.fill(s, 0, tt, 1f / len);
            return;
        }
        float[] hidden = hide;
        for (int i = 0; i < len; i++) {
            int row = i * len;
            int end = causal ? i + 1 : len;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < end; j++) max = Math.max(max, s[row + j] + hidden[j]);
            for (int j = 0; j < len; j++) s[row + j] -= max;
        }
        float[] m = mask;
        for (int i = 0; i < tt; i++) s[i] = Exp.negative(s[i]) * m[i];
        for (int i = 0; i < len; i++) {
            int row = i * len;
            int end = causal ? i + 1 : len;
            double sum = 0;
            for (int j = 0; j < end; j++) sum += s[row + j];
            float inv = (float) (1 / sum);
            for (int j = 0; j < end; j++) s[row + j] *= inv;
        }
    }
}
