package onebyte.node.engine;

import onebyte.core.data.Dataset;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.model.ModelSpec;
import onebyte.proto.WorkloadSpec;

/**
 * The built-in classification workload: {@link SyntheticClassification} target data split by a
 * partitioner, a dense model, θ_0 from a checkpoint file or pretrained with Adam on the source
 * distribution from the model's seeded initialisation ({@code pretraining.steps = 0}: no
 * pretraining). With a checkpoint every process must see the same file (its spec must match the
 * model). Every node checks its θ_0 against the coordinator's hash; a node whose own θ_0
 * differs (e.g. pretraining not bit-reproducible across machines) falls back to a snapshot.
 */
public final class SyntheticWorkloadFactory implements Workload.Factory {
    @Override
    public Workload create(WorkloadSpec spec, long seed) {
        WorkloadSpec.SyntheticData d = spec.getData().getSynthetic();
        ModelSpec model = PooledWorkload.model(spec);
        if (model.isLanguageModel() || model.inputs() != d.getFeatures() || model.classes() != d.getClasses()) {
            throw new IllegalArgumentException("synthetic data of " + d.getFeatures() + " features and " + d.getClasses()
                    + " classes needs a classifier of as many inputs and classes, got " + model);
        }
        int train = spec.getData().getTrainSize();
        int evalSize = spec.getData().getEvalSize();
        SyntheticClassification task = new SyntheticClassification(d.getFeatures(), d.getClasses(), d.getShift(), seed);
        return PooledWorkload.build(spec, model, task.targetTrain(train, seed), task.targetEval(evalSize, seed),
                () -> new PooledWorkload.Source(task.sourceTrain(train, seed), task.sourceEval(evalSize, seed)), seed);
    }

    @Override
    public Dataset targetPool(WorkloadSpec spec, long seed) {
        WorkloadSpec.SyntheticData d = spec.getData().getSynthetic();
        return new SyntheticClassification(d.getFeatures(), d.getClasses(), d.getShift(), seed).targetTrain(spec.getData().getTrainSize(), seed);
    }
}
