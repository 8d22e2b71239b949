package onebyte.core.model;

import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.tensor.ParameterVector;

/**
 * Loss and accuracy of θ over a whole dataset, taken in chunks of at most
 * {@link Model#evaluationChunk} examples ({@link #CHUNK_EXAMPLES} for the dense models and the LM;
 * fewer tokens' worth for a BERT classifier) so that the evaluation's intermediate arrays stay the size of a few minibatches (one
 * batch of lm-finetune's 2,000 eval sequences would need ~400 MB of transformer activations). Chunk results
 * are weighted by their example count, which is exact for both models: every example carries the
 * same number of predictions (one label, or T next tokens).
 */
public record Evaluation(double loss, double accuracy) {
    /** Most examples one forward pass of an evaluation takes, unless the model says fewer. */
    public static final int CHUNK_EXAMPLES = 256;

    /** Mean loss and accuracy of {@code model} at θ over all of {@code data}, in index order. */
    public static Evaluation of(Model model, Dataset data, ParameterVector theta) {
        int n = data.size();
        if (n == 0) throw new IllegalArgumentException("evaluation set is empty");
        double loss = 0;
        double accuracy = 0;
        int chunk = model.evaluationChunk(data);
        if (chunk < 1) throw new IllegalStateException("evaluation chunk must be at least 1 example, got " + chunk);
        for (int from = 0; from < n; from += chunk) {
            int len = Math.min(chunk, n - from);
            int[] idx = new int[len];
            for (int i = 0; i < len; i++) idx[i] = from + i;
            Batch b = data.batch(idx);
            Evaluation e = model.evaluate(theta, b);
            loss += e.loss() * len;
            accuracy += e.accuracy() * len;
        }
        return new Evaluation(loss / n, accuracy / n);
    }
}
