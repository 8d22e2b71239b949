package onebyte.core.model;

import onebyte.core.data.Dataset;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.model.transformer.DenseBuffer;

/**
 * The parts of a BERT classifier ({@code minilm}) that training its head alone needs: the
 * mean-pooled sentence embeddings of a data set at θ and where the head lies in θ.
 */
public final class BertEmbeddings {
    private BertEmbeddings() {}

    /** True for a model of kind {@code minilm}. */
    public static boolean isBert(Model model) {
        return model instanceof BertClassifier;
    }

    /** The mean-pooled last_hidden_state of every example of {@code data}, in index order: [n, hidden] row-major. */
    public static double[] pooled(Model model, ParameterVector theta, Dataset data) {
        BertClassifier bert = bert(model);
        int n = data.size();
        int hidden = bert.hidden();
        double[] out = new double[n * hidden];
        int chunk = bert.evaluationChunk(data);
        DenseBuffer th = DenseBuffer.of(theta.array());
        for (int from = 0; from < n; from += chunk) {
            int len = Math.min(chunk, n - from);
            int[] idx = new int[len];
            for (int i = 0; i < len; i++) idx[i] = from + i;
            double[] e = bert.embeddingsAt(th, data.batch(idx));
            System.arraycopy(e, 0, out, from * hidden, len * hidden);
        }
        return out;
    }

    /** The offset of head.weight [hidden, classes] in θ (head.bias [classes] follows it). */
    public static int headOffset(Model model) {
        return bert(model).headOffset();
    }

    /** The width of the pooled embedding. */
    public static int hidden(Model model) {
        return bert(model).hidden();
    }

    private static BertClassifier bert(Model model) {
        if (!(model instanceof BertClassifier b)) throw new IllegalArgumentException("not a BERT classifier: " + model.getClass().getSimpleName());
        return b;
    }
}
