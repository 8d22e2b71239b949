package onebyte.core.model;

import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.tensor.ParameterVector;

/**
 * Loss and accuracy of θ over a whole dataset, taken in chunks of at most {@link #CHUNK_EXAMPLES}
 * examples so that the evaluation's intermediate arrays stay the size of a few minibatches (one
 * batch of lm-finetune's 2,000 eval sequences would need ~400 MB of transformer activations). Chunk results
 * are weighted by their example count, which is exact for both models: every example carries the
 * same number of predictions (one label, or T next tokens).
 */
public record Evaluation(double loss, double accuracy) {
    /** Most examples one forward pass of an evaluation takes. */
    public static final int CHUNK_EXAMPLES = 256;

    /** Mean loss and accuracy of {@code model} at θ over all of {@code data}, in index order. */
    public static Evaluation of(Model model, Dataset data, ParameterVector theta) {
        int n = data.size();
        if (n == 0) throw new IllegalArgumentException("evaluation set is empty");
        double loss = 0;
        double accuracy = 0;
        for (int from = 0; from < n; from += CHUNK_EXAMPLES) {
            int len = Math.min(CHUNK_EXAMPLES, n - from);
            int[] idx = new int[len];
            for (int i = 0; i < len; i++) idx[i] = from + i;
            Batch b = data.batch(idx);
            loss += model.loss(theta, b) * len;
            accuracy += model.accuracy(theta, b) * len;
        }
        return new Evaluation(loss / n, accuracy / n);
    }
}
