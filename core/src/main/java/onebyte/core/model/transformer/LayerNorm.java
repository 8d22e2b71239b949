package onebyte.core.model.transformer;

/**
 * Layer normalisation over the last axis of a row-major [rows, width] matrix:
 * {@code y = (x − μ)·r·γ + β} with μ the row mean, r = 1/√(var + eps) and var the biased row
 * variance (as PyTorch's LayerNorm), from the row's sum and sum of squares in double precision; the
 * statistics are kept per row ({@code stats}: μ at [0, rows), r at [rows, 2·rows)) for the backward
 * pass. float32 buffers are processed as float rows (μ and r rounded to float, the element-wise
 * loops in float so that the JIT vectorises them, the row sums in double), float64 buffers as double
 * rows.
 */
final class LayerNorm {
    /** Per thread: six rows of float32 work (γ, β, x, dy, dx, dγ, dβ as each pass needs). */
    private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[6][0]);

    private LayerNorm() {}

    private static float[][] rows(int width) {
        float[][] r = ROWS.get();
        if (r[0].length < width) for (int i = 0; i < r.length; i++) r[i] = new float[width];
        return r;
    }

    /**
     * The streamed form: reads γ then β from {@code w} (two blocks of {@code width}) and normalises
     * every point's {@code in} into its {@code out} (the same buffer is allowed). γ is copied into
     * {@code gainCopy[p]} because the next block replaces it.
     */
    static void forward(Weights w, int points, DenseBuffer[] in, DenseBuffer[] out, double[][] stats, DenseBuffer[] gainCopy,
                        int rows, int width, double eps) {
        w.next();
        for (int p = 0; p < points; p++) w.at(p).copyTo(0, gainCopy[p], 0, width);
        w.next();
        for (int p = 0; p < points; p++) forward(in[p], out[p], stats[p], gainCopy[p], w.at(p), rows, width, eps);
    }

    static void forward(DenseBuffer in, DenseBuffer out, double[] stats, DenseBuffer gain, DenseBuffer bias, int rows, int width,
                        double eps) {
        if (!in.isDouble()) {
            forward32(in, out, stats, gain, bias, rows, width, eps);
            return;
        }
        double[] g = new double[width];
        double[] b = new double[width];
        double[] x = new double[width];
        gain.read(0, g, 0, width);
        bias.read(0, b, 0, width);
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            in.read(o, x, 0, width);
            double s0 = 0;
            double s1 = 0;
            double q0 = 0;
            double q1 = 0;
            int j = 0;
            for (; j + 1 < width; j += 2) {
                s0 += x[j];
                s1 += x[j + 1];
                q0 += x[j] * x[j];
                q1 += x[j + 1] * x[j + 1];
            }
            for (; j < width; j++) {
                s0 += x[j];
                q0 += x[j] * x[j];
            }
            double mean = (s0 + s1) / width;
            double var = Math.max(0, (q0 + q1) / width - mean * mean);
            double rstd = 1 / Math.sqrt(var + eps);
            stats[r] = mean;
            stats[rows + r] = rstd;
            for (j = 0; j < width; j++) x[j] = (x[j] - mean) * rstd * g[j] + b[j];
            out.write(o, x, 0, width);
        }
    }

    /**
     * Given dL/dy, writes dL/dx into {@code dIn} (added to it when {@code accumulate}; dIn may be
     * dOut when not) and adds dL/dγ, dL/dβ into {@code dGain}, {@code dBias}. {@code in} and
     * {@code stats} are the forward pass's input and statistics.
     */
    static void backward(DenseBuffer in, double[] stats, DenseBuffer gain, DenseBuffer dOut, DenseBuffer dIn, boolean accumulate,
                         DenseBuffer dGain, DenseBuffer dBias, int rows, int width) {
        if (!in.isDouble()) {
            backward32(in, stats, gain, dOut, dIn, accumulate, dGain, dBias, rows, width);
            return;
        }
        double[] g = new double[width];
        double[] dg = new double[width];
        double[] db = new double[width];
        double[] x = new double[width];
        double[] dy = new double[width];
        double[] dx = new double[width];
        gain.read(0, g, 0, width);
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            double mean = stats[r];
            double rstd = stats[rows + r];
            in.read(o, x, 0, width);
            dOut.read(o, dy, 0, width);
            double m1 = 0;
            double m2 = 0;
            for (int j = 0; j < width; j++) {
                double xhat = (x[j] - mean) * rstd;
                x[j] = xhat;
                dg[j] += dy[j] * xhat;
                db[j] += dy[j];
                double gj = dy[j] * g[j];
                m1 += gj;
                m2 += gj * xhat;
            }
            m1 /= width;
            m2 /= width;
            if (accumulate) dIn.read(o, dx, 0, width);
            for (int j = 0; j < width; j++) {
                double d = rstd * (dy[j] * g[j] - m1 - x[j] * m2);
                dx[j] = accumulate ? dx[j] + d : d;
            }
            dIn.write(o, dx, 0, width);
        }
        for (int j = 0; j < width; j++) {
            dGain.add(j, dg[j]);
            dBias.add(j, db[j]);
        }
    }

    private static void forward32(DenseBuffer in, DenseBuffer out, double[] stats, DenseBuffer gain, DenseBuffer bias, int rows,
                                  int width, double eps) {
        float[][] w = rows(width);
        float[] g = w[0];
        float[] b = w[1];
        float[] x = w[2];
        gain.read(0, g, 0, width);
        bias.read(0, b, 0, width);
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            in.read(o, x, 0, width);
            double s = 0;
            double q = 0;
            for (int j = 0; j < width; j++) {
                s += x[j];
                q += x[j] * (double) x[j];
            }
            double m = s / width;
            float mean = (float) m;
            float rstd = (float) (1 / Math.sqrt(Math.max(0, q / width - m * m) + eps));
            stats[r] = mean;
            stats[rows + r] = rstd;
            for (int j = 0; j < width; j++) x[j] = (x[j] - mean) * rstd * g[j] + b[j];
            out.write(o, x, 0, width);
        }
    }

    private static void backward32(DenseBuffer in, double[] stats, DenseBuffer gain, DenseBuffer dOut, DenseBuffer dIn,
                                   boolean accumulate, DenseBuffer dGain, DenseBuffer dBias, int rows, int width) {
        float[][] w = rows(width);
        float[] g = w[0];
        float[] x = w[1];
        float[] dy = w[2];
        float[] dx = w[3];
        float[] dg = w[4];
        float[] db = w[5];
        java.util.Arrays.fill(dg, 0, width, 0f);
        java.util.Arrays.fill(db, 0, width, 0f);
        gain.read(0, g, 0, width);
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            float mean = (float) stats[r];
            float rstd = (float) stats[rows + r];
            in.read(o, x, 0, width);
            dOut.read(o, dy, 0, width);
            for (int j = 0; j < width; j++) {
                float xhat = (x[j] - mean) * rstd;
                x[j] = xhat;
                dg[j] += dy[j] * xhat;
                db[j] += dy[j];
                dy[j] *= g[j];
            }
            double s1 = 0;
            double s2 = 0;
            for (int j = 0; j < width; j++) {
                s1 += dy[j];
                s2 += dy[j] * x[j];
            }
            float m1 = (float) (s1 / width);
            float m2 = (float) (s2 / width);
            if (accumulate) {
                dIn.read(o, dx, 0, width);
                for (int j = 0; j < width; j++) dx[j] += rstd * (dy[j] - m1 - x[j] * m2);
            } else {
                for (int j = 0; j < width; j++) dx[j] = rstd * (dy[j] - m1 - x[j] * m2);
            }
            dIn.write(o, dx, 0, width);
        }
        addInto(dGain, dg, width);
        addInto(dBias, db, width);
    }

    /** dst[j] += v[j] for j < width. */
    private static void addInto(DenseBuffer dst, float[] v, int width) {
        float[][] w = rows(width);
        float[] t = w[0];
        dst.read(0, t, 0, width);
        for (int j = 0; j < width; j++) t[j] += v[j];
        dst.write(0, t, 0, width);
    }
}
