package onebyte.node.engine;

import java.util.Map;
import onebyte.core.data.SyntheticText;
import onebyte.core.model.ModelSpec;

/**
 * The language-model workload: windows of {@link SyntheticText}'s target "language" split by a
 * partitioner, a byte-level transformer LM, θ_0 from a checkpoint or pretrained on the source
 * language. Spec (keys optional, defaults shown):
 * <pre>class:onebyte.node.engine.SyntheticTextWorkloadFactory;model=transformer-lm:vocab=256,layers=2,heads=4,width=128,context=64;
 *   shift=0.5;train=20000;eval=256;partition=iid;pretrain-steps=300;pretrain-lr=0.003;pretrain-batch=16;checkpoint=</pre>
 * {@code train} and {@code eval} count windows of {@code context} tokens.
 */
public final class SyntheticTextWorkloadFactory implements Workload.Factory {
    @Override
    public Workload create(String spec, long seed) {
        Map<String, String> p = Workloads.params(spec);
        ModelSpec model = ModelSpec.parse(p.getOrDefault("model", "transformer-lm:vocab=256,layers=2,heads=4,width=128,context=64"));
        if (!model.isLanguageModel()) {
            throw new IllegalArgumentException("the text workload needs a transformer-lm model, got " + model);
        }
        double shift = Double.parseDouble(p.getOrDefault("shift", "0.5"));
        int train = Integer.parseInt(p.getOrDefault("train", "20000"));
        int evalSize = Integer.parseInt(p.getOrDefault("eval", "256"));
        p.putIfAbsent("pretrain-steps", "300");
        p.putIfAbsent("pretrain-lr", "0.003");
        p.putIfAbsent("pretrain-batch", "16");
        int context = model.context();
        SyntheticText text = new SyntheticText(shift, seed);
        return PooledWorkload.build(p, model, text.targetTrain(train, context, seed), text.targetEval(evalSize, context, seed),
                () -> new PooledWorkload.Source(text.sourceTrain(train, context, seed), text.sourceEval(evalSize, context, seed)), seed);
    }
}
