package onebyte.core.model.transformer;

/**
 * Layer normalisation over the last axis of a row-major [rows, width] matrix:
 * {@code y = (x − μ)·r·γ + β} with μ the row mean, r = 1/√(var + eps) and var the biased row
 * variance (as PyTorch's LayerNorm), from the row's sum and sum of squares in double precision. Rows are processed as double arrays; the statistics are kept
 * per row ({@code stats}: μ at [0, rows), r at [rows, 2·rows)) for the backward pass.
 */
final class LayerNorm {
    private LayerNorm() {}

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
}
