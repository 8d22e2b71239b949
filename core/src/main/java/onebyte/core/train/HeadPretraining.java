package onebyte.core.train;

import onebyte.core.data.Dataset;
import onebyte.core.data.MinibatchSampler;
import onebyte.core.model.BertEmbeddings;
import onebyte.core.model.Evaluation;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.SeedMixer;

/**
 * Pretraining of a pretrained encoder's classifier ({@code minilm}): the encoder stays as
 * pretrained (frozen) and only the linear head is trained on the source split. The mean-pooled
 * embeddings of the source examples are computed once at θ_init (one forward pass over the
 * split), then {@code steps} Adam steps (β1 0.9, β2 0.999, ε 1e-8, as {@link Pretrainer}) fit
 * the head to them, step t on the minibatch {@code MinibatchSampler.indices(n, batchSize,
 * SeedMixer.derive(seed, t))}, in double precision; the head is written back into θ as float32
 * at the end. This is exactly the gradient path with the encoder's gradient dropped, for the cost
 * of one forward per source example instead of three per step. Deterministic in (θ_init, data,
 * recipe, seed): every process of a run gets the same bits.
 */
final class HeadPretraining {
    private HeadPretraining() {}

    static Pretrainer.Result run(Model model, ParameterVector init, Dataset train, Dataset eval, SourcePretraining.Recipe recipe,
                                 long seed, Pretrainer.Progress progress) {
        ParameterVector theta = init.copy();
        int steps = recipe.steps();
        if (steps > 0) {
            int hidden = BertEmbeddings.hidden(model);
            int offset = BertEmbeddings.headOffset(model);
            int classes = (model.numParams() - offset) / (hidden + 1);
            double[] x = BertEmbeddings.pooled(model, theta, train);
            int[] y = new int[train.size()];
            float[] labels = train.batch(identity(train.size())).labels().toFloatVector();
            for (int i = 0; i < y.length; i++) y[i] = (int) labels[i];
            int p = hidden * classes + classes;
            float[] head0 = new float[p];
            theta.get(offset, head0, 0, p);
            double[] w = new double[p];
            for (int i = 0; i < p; i++) w[i] = head0[i];
            double[] m = new double[p];
            double[] v = new double[p];
            double[] g = new double[p];
            double lossSum = 0;
            int lossCount = 0;
            for (int t = 1; t <= steps; t++) {
                int[] batch = MinibatchSampler.indices(y.length, recipe.batchSize(), SeedMixer.derive(seed, t));
                lossSum += lossAndGradient(w, x, y, batch, hidden, classes, g);
                lossCount++;
                double c1 = 1 - Math.pow(0.9, t);
                double c2 = 1 - Math.pow(0.999, t);
                for (int i = 0; i < p; i++) {
                    m[i] = 0.9 * m[i] + 0.1 * g[i];
                    v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                    w[i] -= recipe.lr() * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8);
                }
                if (t % 100 == 0 || t == steps) {
                    if (progress != null) progress.onProgress(t, lossSum / lossCount);
                    lossSum = 0;
                    lossCount = 0;
                }
            }
            float[] head = new float[p];
            for (int i = 0; i < p; i++) head[i] = (float) w[i];
            theta.put(offset, head, 0, p);
        }
        Evaluation e = Evaluation.of(model, eval, theta);
        return new Pretrainer.Result(theta, e.loss(), e.accuracy(), steps);
    }

    /** Mean softmax cross-entropy of the head (W [hidden, classes] then b [classes] in {@code w}) over {@code batch}; its gradient into g. */
    private static double lossAndGradient(double[] w, double[] x, int[] y, int[] batch, int hidden, int classes, double[] g) {
        java.util.Arrays.fill(g, 0);
        int bias = hidden * classes;
        double total = 0;
        double[] logits = new double[classes];
        for (int i : batch) {
            for (int c = 0; c < classes; c++) logits[c] = w[bias + c];
            for (int j = 0; j < hidden; j++) {
                double xj = x[i * hidden + j];
                for (int c = 0; c < classes; c++) logits[c] += xj * w[j * classes + c];
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double l : logits) max = Math.max(max, l);
            double sum = 0;
            for (double l : logits) sum += Math.exp(l - max);
            total += Math.log(sum) - (logits[y[i]] - max);
            for (int c = 0; c < classes; c++) {
                double d = (Math.exp(logits[c] - max) / sum - (c == y[i] ? 1 : 0)) / batch.length;
                g[bias + c] += d;
                for (int j = 0; j < hidden; j++) g[j * classes + c] += x[i * hidden + j] * d;
            }
        }
        return total / batch.length;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }
}
