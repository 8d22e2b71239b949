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

    void forward(DenseBuffer q, DenseBuffer k, DenseBuffer v, DenseBuffer ctx, DenseBuffer probs, boolean keepAll, int[] tokens,
                 int batch, int len) {
        double scale = 1 / Math.sqrt(headWidth);
        int tt = len * len;
        double[] p = new double[tt];
        boolean[] visible = new boolean[len];
        for (int b = 0; b < batch; b++) {
            boolean any = keys(tokens, b * len, len, visible);
            for (int h = 0; h < heads; h++) {
                int at = b * len * width + h * headWidth;
                int p0 = keepAll ? (b * heads + h) * tt : 0;
                Blas.gemm(false, true, len, len, headWidth, scale, q, at, width, k, at, width, 0, probs, p0, len);
                probs.read(p0, p, 0, tt);
                for (int i = 0; i < len; i++) softmaxRow(p, i * len, i, visible, any, len, probs.isDouble());
                probs.write(p0, p, 0, tt);
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
        double[] p = new double[tt];
        double[] dp = new double[tt];
        boolean[] visible = new boolean[len];
        for (int b = 0; b < batch; b++) {
            boolean any = keys(tokens, b * len, len, visible);
            for (int h = 0; h < heads; h++) {
                int at = b * len * width + h * headWidth;
                int p0 = (b * heads + h) * tt;
                Blas.gemm(false, true, len, len, headWidth, 1, dCtx, at, width, v, at, width, 0, dP, 0, len);
                Blas.gemm(true, false, len, headWidth, len, 1, probs, p0, len, dCtx, at, width, 0, dv, at, width);
                probs.read(p0, p, 0, tt);
                dP.read(0, dp, 0, tt);
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
                dP.write(0, dp, 0, tt);
                Blas.gemm(false, false, len, headWidth, len, 1, dP, 0, len, k, at, width, 0, dq, at, width);
                Blas.gemm(true, false, len, headWidth, len, 1, dP, 0, len, q, at, width, 0, dk, at, width);
            }
        }
    }

    /** Which keys of the sequence starting at row {@code first} are not padding; whether any is (always, when causal). */
    private boolean keys(int[] tokens, int first, int len, boolean[] visible) {
        boolean any = false;
        for (int j = 0; j < len; j++) {
            visible[j] = causal || tokens[first + j] != 0;
            any |= visible[j];
        }
        return any;
    }

    /** Row {@code query} of the scores at s[from, from + len) → probabilities, in place. */
    private void softmaxRow(double[] s, int from, int query, boolean[] visible, boolean any, int len, boolean exact) {
        if (!any) {
            java.util.Arrays.fill(s, from, from + len, 1.0 / len);
            return;
        }
        int end = causal ? query + 1 : len;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < end; j++) if (visible[j]) max = Math.max(max, s[from + j]);
        double sum = 0;
        for (int j = 0; j < len; j++) {
            double e = j < end && visible[j] ? Exp.exp(s[from + j] - max, exact) : 0;
            s[from + j] = e;
            sum += e;
        }
        double inv = 1 / sum;
        for (int j = 0; j < end; j++) s[from + j] *= inv;
    }
}
