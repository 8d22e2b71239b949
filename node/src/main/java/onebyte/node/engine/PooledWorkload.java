package onebyte.node.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Supplier;
import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.MinibatchSampler;
import onebyte.core.data.Partitioner;
import onebyte.core.model.Checkpoint;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.train.SourcePretraining;
import onebyte.proto.WorkloadSpec;

/**
 * A workload over an in-memory target pool cut into node shards by a {@link Partitioner}, with
 * θ_0 from a checkpoint file or pretrained on the source distribution. The synthetic
 * classification and synthetic text workloads differ only in how they make their datasets.
 */
record PooledWorkload(ModelSpec spec, float[] theta0, InMemoryDataset pool, InMemoryDataset eval, Partitioner partitioner,
                      long seed) implements Workload {

    /** Source data for pretraining, made only when no checkpoint is given. */
    record Source(InMemoryDataset train, InMemoryDataset eval) {}

    /** The model the workload names. */
    static ModelSpec model(WorkloadSpec w) {
        return WorkloadSpecs.model(w.getModel());
    }

    /** Builds θ_0 (from the checkpoint, or pretrained on the source data) and the partitioner the workload names. */
    static PooledWorkload build(WorkloadSpec w, ModelSpec spec, InMemoryDataset pool, InMemoryDataset eval,
            Supplier<Source> source, long seed) {
        Partitioner partitioner = WorkloadSpecs.partitioner(w.getPartition());
        String checkpoint = w.getCheckpoint();
        ParameterVector theta0;
        if (checkpoint.isEmpty()) {
            Source s = source.get();
            WorkloadSpec.Pretraining p = w.getPretraining();
            SourcePretraining.Recipe recipe = new SourcePretraining.Recipe(p.getSteps(), p.getLr(), p.getBatchSize());
            theta0 = SourcePretraining.run(spec, s.train(), s.eval(), recipe, seed, null).parameters();
        } else {
            try {
                Checkpoint cp = Checkpoint.read(Path.of(checkpoint));
                if (!cp.spec().equals(spec)) {
                    throw new IllegalArgumentException("checkpoint " + checkpoint + " holds " + cp.spec() + ", the run needs " + spec);
                }
                theta0 = cp.parameters();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read checkpoint " + checkpoint, e);
            }
        }
        return new PooledWorkload(spec, theta0.toArray(), pool, eval, partitioner, seed);
    }

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
