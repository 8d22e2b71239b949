package onebyte.node.engine;

import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.proto.WorkloadSpec;

/**
 * A model, its shared initial parameters θ_0 and the data of a run, built deterministically from
 * a {@link WorkloadSpec} and the run seed, so every process builds the same thing (see {@link Workloads}).
 */
public interface Workload {
    int numParams();

    /** A model instance for one thread (models keep internal buffers). */
    Model newModel();

    /** A fresh copy of θ_0 (the shared initial checkpoint). */
    ParameterVector initialParameters();

    /** The private training shard of one node. */
    Dataset shard(int nodeId);

    /** The evaluation set of the target task (used by the coordinator). */
    Dataset evalSet();

    /** A minibatch of this many examples drawn with this seed. */
    Batch draw(Dataset data, int batchSize, long seed);

    /** Builds a workload from its spec and the run seed. */
    interface Factory {
        Workload create(WorkloadSpec spec, long runSeed);

        /**
         * The target pool the workload's shards are cut from, built without θ_0 (for checks before
         * a run); null when the factory cannot tell without building the whole workload.
         */
        default Dataset targetPool(WorkloadSpec spec, long runSeed) {
            return null;
        }
    }
}
