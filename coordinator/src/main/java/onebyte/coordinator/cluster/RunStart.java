package onebyte.coordinator.cluster;

import java.util.function.Function;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.engine.Workload;
import onebyte.node.engine.Workloads;
import onebyte.proto.RunState;
import onebyte.proto.WorkloadSpec;

/**
 * What a cluster run starts from, whatever the algorithm, as its load step (a compute job, before
 * any node is admitted) builds it: the workload, a model to evaluate parameters with, the starting
 * parameters (θ_0 or x^0), and their eval loss and accuracy; a resumed run takes these two from its
 * saved state instead of evaluating again.
 */
public record RunStart(Workload workload, Model model, ParameterVector start, double initialLoss, double initialAccuracy) {
    /**
     * The start of the run on {@code spec} seeded by {@code runSeed}, from the parameters
     * {@code start} gives for the workload; {@code restored}: the saved state of a resumed run, or null.
     */
    public static RunStart load(WorkloadSpec spec, long runSeed, RunState restored, Function<Workload, ParameterVector> start) {
        Workload w = Workloads.get(spec, runSeed);
        ParameterVector p = start.apply(w);
        Model m = w.newModel();
        if (restored != null) {
            return new RunStart(w, m, p, restored.getInitialLoss(), restored.getInitialAccuracy());
        }
        double[] e = LoopbackCluster.evaluate(m, w, p);
        return new RunStart(w, m, p, e[0], e[1]);
    }

    /** The eval loss and accuracy of {@code p} on the workload's eval set when {@code eval}, else NaN and NaN. */
    public double[] evaluate(ParameterVector p, boolean eval) {
        return eval ? LoopbackCluster.evaluate(model, workload, p) : new double[] {Double.NaN, Double.NaN};
    }
}
