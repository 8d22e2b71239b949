package onebyte.core.fed;

import java.util.List;
import onebyte.core.tensor.ParameterVector;

/** The server step of FedSpeed/FedAvg: x^{t+1} = mean of the returned x̂_i. */
public final class ServerMean {
    private ServerMean() {}

    /**
     * Element-wise mean, accumulated in float64 in list order and rounded once to float32, so the
     * same list (same order) gives the same bits. Callers pass the clients sorted by node id.
     */
    public static ParameterVector mean(List<ParameterVector> xs) {
        if (xs.isEmpty()) throw new IllegalArgumentException("mean of no vectors");
        int d = xs.get(0).length();
        for (ParameterVector x : xs) {
            if (x.length() != d) throw new IllegalArgumentException("length mismatch: " + x.length() + " vs " + d);
        }
        ParameterVector out = new ParameterVector(d);
        int chunk = 1 << 14;
        double[] acc = new double[chunk];
        float[] buf = new float[chunk];
        for (int from = 0; from < d; from += chunk) {
            int len = Math.min(chunk, d - from);
            java.util.Arrays.fill(acc, 0, len, 0.0);
            for (ParameterVector x : xs) {
                x.get(from, buf, 0, len);
                for (int i = 0; i < len; i++) acc[i] += buf[i];
            }
            for (int i = 0; i < len; i++) buf[i] = (float) (acc[i] / xs.size());
            out.put(from, buf, 0, len);
        }
        return out;
    }
}
