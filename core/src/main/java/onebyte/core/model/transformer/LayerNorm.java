package onebyte.core.model.transformer;

/**
 * Layer normalisation over the last axis of a row-major [rows, width] matrix:
 * {@code y = (x − μ)·r·γ + β} with μ the row mean, r = 1/√(var + eps) and var the biased row
 * variance (as PyTorch's LayerNorm). Statistics are computed in double precision and kept per row
 * ({@code stats}: μ at [0, rows), r at [rows, 2·rows)) for the backward pass.
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
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            double sum = 0;
            for (int j = 0; j < width; j++) sum += in.get(o + j);
            double mean = sum / width;
            double sq = 0;
            for (int j = 0; j < width; j++) {
                double d = in.get(o + j) - mean;
                sq += d * d;
            }
            double rstd = 1 / Math.sqrt(sq / width + eps);
            stats[r] = mean;
            stats[rows + r] = rstd;
            for (int j = 0; j < width; j++) out.set(o + j, (in.get(o + j) - mean) * rstd * gain.get(j) + bias.get(j));
        }
    }

    /**
     * Given dL/dy, writes dL/dx into {@code dIn} (added to it when {@code accumulate}; dIn may be
     * dOut when not) and adds dL/dγ, dL/dβ into {@code dGain}, {@code dBias}. {@code in} and
     * {@code stats} are the forward pass's input and statistics.
     */
    static void backward(DenseBuffer in, double[] stats, DenseBuffer gain, DenseBuffer dOut, DenseBuffer dIn, boolean accumulate,
                         DenseBuffer dGain, DenseBuffer dBias, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            double mean = stats[r];
            double rstd = stats[rows + r];
            double m1 = 0;
            double m2 = 0;
            for (int j = 0; j < width; j++) {
                double xhat = (in.get(o + j) - mean) * rstd;
                double dy = dOut.get(o + j);
                dGain.add(j, dy * xhat);
                dBias.add(j, dy);
                double g = dy * gain.get(j);
                m1 += g;
                m2 += g * xhat;
            }
            m1 /= width;
            m2 /= width;
            for (int j = 0; j < width; j++) {
                double xhat = (in.get(o + j) - mean) * rstd;
                double dx = rstd * (dOut.get(o + j) * gain.get(j) - m1 - xhat * m2);
                dIn.set(o + j, accumulate ? dIn.get(o + j) + dx : dx);
            }
        }
    }
}
