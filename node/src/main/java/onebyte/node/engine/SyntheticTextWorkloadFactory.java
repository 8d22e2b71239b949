package onebyte.node.engine;

import onebyte.core.data.Dataset;
import onebyte.core.data.SyntheticText;
import onebyte.core.model.ModelSpec;
import onebyte.proto.WorkloadSpec;

/**
 * The language-model workload: windows of {@link SyntheticText}'s target "language" split by a
 * partitioner, a byte-level transformer LM, θ_0 from a checkpoint or pretrained on the source
 * language. {@code data.train_size} and {@code data.eval_size} count windows of
 * {@code model.context} tokens.
 */
public final class SyntheticTextWorkloadFactory implements Workload.Factory {
    @Override
    public Workload create(WorkloadSpec spec, long seed) {
        ModelSpec model = PooledWorkload.model(spec);
        if (!model.isLanguageModel()) {
            throw new IllegalArgumentException("the text workload needs a transformer-lm model, got " + model);
        }
        int train = spec.getData().getTrainSize();
        int evalSize = spec.getData().getEvalSize();
        int context = model.context();
        SyntheticText text = new SyntheticText(spec.getData().getSyntheticText().getShift(), seed);
        return PooledWorkload.build(spec, model, text.targetTrain(train, context, seed), text.targetEval(evalSize, context, seed),
                () -> new PooledWorkload.Source(text.sourceTrain(train, context, seed), text.sourceEval(evalSize, context, seed)), seed);
    }

    @Override
    public Dataset targetPool(WorkloadSpec spec, long seed) {
        return new SyntheticText(spec.getData().getSyntheticText().getShift(), seed)
                .targetTrain(spec.getData().getTrainSize(), PooledWorkload.model(spec).context(), seed);
    }
}
