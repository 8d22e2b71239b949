package onebyte.core.spsa;

import onebyte.core.tensor.ParameterVector;

import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.model.Model;

/** Test model L(θ) = ½ Σ a_i (θ_i − b_i)², ∇L = a ⊙ (θ − b). Ignores the batch. Counts evaluations. */
final class QuadraticModel implements Model {
    final double[] a;
    final double[] b;
    int lossCalls;

    QuadraticModel(double[] a, double[] b) {
        this.a = a;
        this.b = b;
    }

    @Override
    public int numParams() {
        return a.length;
    }

    @Override
    public List<TensorShape> tensors() {
        return List.of(new TensorShape("theta", new long[] {a.length}, 0, a.length));
    }

    @Override
    public double loss(ParameterVector params, Batch batch) {
        lossCalls++;
        float[] t = params.toArray();
        double s = 0;
        for (int i = 0; i < t.length; i++) {
            double r = t[i] - b[i];
            s += a[i] * r * r;
        }
        return 0.5 * s;
    }

    @Override
    public double accuracy(ParameterVector params, Batch batch) {
        return 0;
    }

    @Override
    public double lossAndGradient(ParameterVector params, Batch batch, ParameterVector gradOut) {
        float[] t = params.toArray();
        float[] g = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            g[i] = (float) (a[i] * (t[i] - b[i]));
        }
        gradOut.put(0, g, 0, g.length);
        return loss(params, batch);
    }

    double[] gradient(float[] theta) {
        double[] g = new double[theta.length];
        for (int i = 0; i < theta.length; i++) {
            g[i] = a[i] * (theta[i] - b[i]);
        }
        return g;
    }
}
