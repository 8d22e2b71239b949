package onebyte.node.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.MinibatchSampler;
import onebyte.core.data.Partitioner;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.model.Checkpoint;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.spsa.ParameterVector;
import onebyte.core.spsa.SeedMixer;
import onebyte.core.train.Pretrainer;

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
        Partitioner partitioner = Partitioner.parse(p.getOrDefault("partition", "iid"));
        String checkpoint = p.getOrDefault("checkpoint", "");
        int pretrainSteps = Integer.parseInt(p.getOrDefault("pretrain-steps", "400"));
        double pretrainLr = Double.parseDouble(p.getOrDefault("pretrain-lr", "0.01"));
        int pretrainBatch = Integer.parseInt(p.getOrDefault("pretrain-batch", "64"));
        SyntheticClassification task = new SyntheticClassification(features, classes, shift, seed);
        InMemoryDataset pool = task.targetTrain(train, seed);
        InMemoryDataset eval = task.targetEval(evalSize, seed);
        ParameterVector theta0;
        if (checkpoint.isEmpty()) {
            theta0 = Models.initialParameters(modelSpec, SeedMixer.derive(seed, 0x494E4954L)); // "INIT"
            if (pretrainSteps > 0) {
                Pretrainer.Result r = new Pretrainer(Pretrainer.Config.of(pretrainLr, pretrainSteps, pretrainBatch,
                        SeedMixer.derive(seed, 0x5052455452L))) // "PRETR"
                        .run(Models.create(modelSpec), theta0, task.sourceTrain(train, seed), task.sourceEval(evalSize, seed).all(), null);
                theta0 = r.parameters();
            }
        } else {
            try {
                Checkpoint cp = Checkpoint.read(Path.of(checkpoint));
                if (!cp.spec().equals(modelSpec)) {
                    throw new IllegalArgumentException("checkpoint " + checkpoint + " holds " + cp.spec() + ", the run needs " + modelSpec);
                }
                theta0 = cp.parameters();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read checkpoint " + checkpoint, e);
            }
        }
        return new Synthetic(modelSpec, theta0.toArray(), pool, eval, partitioner, seed);
    }

    private record Synthetic(ModelSpec spec, float[] theta0, InMemoryDataset pool, InMemoryDataset eval, Partitioner partitioner,
                             long seed) implements Workload {
        @Override
        public int numParams() {
            return theta0.length;
        }

        @Override
        public Model newModel() {
            return Models.create(spec);
        }

        @Override
        public ParameterVector initialParameters() {
            return ParameterVector.of(theta0);
        }

        @Override
        public Dataset shard(int nodeId) {
            return partitioner.shard(pool, seed, nodeId);
        }

        @Override
        public Dataset evalSet() {
            return eval;
        }

        @Override
        public Batch draw(Dataset data, int batchSize, long s) {
            return MinibatchSampler.draw(data, batchSize, s);
        }
    }
}
