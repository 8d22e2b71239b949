package onebyte.core.model.transformer;

/**
 * A dense layer on row-major activations, {@code Y = X·W + 1·bᵀ} with X [rows, in], W [in, out]
 * row-major (stored as it is used, x·W) and b [out].
 */
final class Linear {
    private Linear() {}

    /**
     * The streamed form: W arrives from {@code w} in blocks of whole rows [r0, r0 + r), each added
     * by one gemm {@code Y += X[:, r0..r0+r]·W[r0..r0+r, :]} (a column block of X is an operand as
     * it lies), then b as one block, added by a rank-1 gemm (one rounding per element). With
     * {@code residual} the result is {@code residual + X·W + b}: the residual is copied into Y
     * first unless it is Y itself (then Y is updated in place).
     */
    static void forward(Weights w, int points, DenseBuffer[] x, DenseBuffer[] residual, DenseBuffer[] y, DenseBuffer ones,
                        int rows, int in, int out) {
        if (residual != null) {
            for (int p = 0; p < points; p++) {
                if (residual[p] != y[p]) residual[p].copyTo(0, y[p], 0, rows * out);
            }
        }
        for (int r0 = 0; r0 < in; ) {
            int r = w.next() / out;
            double beta = r0 == 0 && residual == null ? 0 : 1;
            for (int p = 0; p < points; p++) {
                Blas.gemm(false, false, rows, out, r, 1, x[p], r0, in, w.at(p), 0, out, beta, y[p], 0, out);
            }
            r0 += r;
        }
        w.next();
        for (int p = 0; p < points; p++) {
            Blas.gemm(false, false, rows, out, 1, 1, ones, 0, 1, w.at(p), 0, out, 1, y[p], 0, out);
        }
    }

    /**
     * Given dL/dY: adds dL/dW = Xᵀ·dY into {@code dW} and dL/db = 1ᵀ·dY into {@code dB}, and writes
     * dL/dX = dY·Wᵀ into {@code dX} (added to it when {@code accumulate}; skipped when dX is null).
     */
    static void backward(DenseBuffer x, DenseBuffer weight, DenseBuffer dY, DenseBuffer dX, boolean accumulate, DenseBuffer dW,
                         DenseBuffer dB, DenseBuffer ones, int rows, int in, int out) {
        Blas.gemm(true, false, in, out, rows, 1, x, 0, in, dY, 0, out, 1, dW, 0, out);
        if (dY.isDouble()) Blas.gemm(false, false, 1, out, rows, 1, ones, 0, rows, dY, 0, out, 1, dB, 0, out);
        else addColumnSums(dY, rows, out, dB);
        if (dX != null) {
            Blas.gemm(false, true, rows, in, out, 1, dY, 0, out, weight, 0, out, accumulate ? 1 : 0, dX, 0, in);
        }
    }

    /** Per thread: the column sums and one row of a float32 dL/dY. */
    private static final ThreadLocal<float[][]> SUMS = ThreadLocal.withInitial(() -> new float[2][0]);

    /**
     * dB += 1ᵀ·dY for float32, summed row by row in a float vector (one vectorised loop per row; a
     * gemm with one row pads it to the BLAS kernel's block and costs many times more).
     */
    private static void addColumnSums(DenseBuffer dY, int rows, int cols, DenseBuffer dB) {
        float[][] t = SUMS.get();
        if (t[0].length < cols) {
            t[0] = new float[cols];
            t[1] = new float[cols];
        }
        float[] sum = t[0];
        float[] row = t[1];
        java.util.Arrays.fill(sum, 0, cols, 0f);
        for (int r = 0; r < rows; r++) {
            dY.read(r * cols, row, 0, cols);
            for (int j = 0; j < cols; j++) sum[j] += row[j];
        }
        dB.read(0, row, 0, cols);
        for (int j = 0; j < cols; j++) row[j] += sum[j];
        dB.write(0, row, 0, cols);
    }
}
