package onebyte.node.engine;

import java.util.Map;
import onebyte.core.data.Partitioner;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.model.ModelSpec;


/**
 * The built-in workload: {@link SyntheticClassification} target data split by a
 * {@link Partitioner}, a dense model, θ_0 from a checkpoint file or pretrained with Adam on the
 * source distribution from the model's seeded initialisation ({@code pretrain-steps=0}: no
 * pretraining). Spec (keys optional, defaults shown):
 * <pre>synthetic;model=mlp:inputs=20,hidden=32,classes=4;features=20;classes=4;shift=0.5;
 *   train=8000;eval=2000;partition=iid;pretrain-steps=400;pretrain-lr=0.01;pretrain-batch=64;checkpoint=</pre>
 * With {@code checkpoint=path} every process must see the same file (its spec must match the
 * model). Every node checks its θ_0 against the coordinator's hash; a node whose own θ_0
 * differs (e.g. pretraining not bit-reproducible across machines) falls back to a snapshot.
 */
public final class SyntheticWorkloadFactory implements Workload.Factory {
    @Override
    public Workload create(String spec, long seed) {
        Map<String, String> p = Workloads.params(spec);
        int features = Integer.parseInt(p.getOrDefault("features", "20"));
        int classes = Integer.parseInt(p.getOrDefault("classes", "4"));
        double shift = Double.parseDouble(p.getOrDefault("shift", "0.5"));
        int train = Integer.parseInt(p.getOrDefault("train", "8000"));
        int evalSize = Integer.parseInt(p.getOrDefault("eval", "2000"));
        ModelSpec modelSpec = ModelSpec.parse(p.getOrDefault("model",
                "mlp:inputs=" + features + ",hidden=32,classes=" + classes));
        SyntheticClassification task = new SyntheticClassification(features, classes, shift, seed);
        return PooledWorkload.build(p, modelSpec, task.targetTrain(train, seed), task.targetEval(evalSize, seed),
                () -> new PooledWorkload.Source(task.sourceTrain(train, seed), task.sourceEval(evalSize, seed)), seed);
    }
}
