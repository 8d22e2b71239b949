package onebyte.coordinator.cluster;

import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.proto.WorkloadSpec;

/** Workloads of the tests: the default scenario's synthetic task with a smaller MLP, pool and pretraining. */
public final class TestWorkloads {
    private TestWorkloads() {}

    /** MLP 20 → hidden → 4 on a pool of {@code train} examples, {@code eval} to evaluate, {@code pretrainSteps} of Adam. */
    public static WorkloadSpec synthetic(int hidden, int train, int eval, int pretrainSteps) {
        WorkloadSpec.Builder w = ScenarioSettings.workload(ScenarioSettings.DEFAULTS, null).toBuilder();
        w.getModelBuilder().clearHidden().addHidden(hidden);
        w.getDataBuilder().setTrainSize(train).setEvalSize(eval);
        w.getPretrainingBuilder().setSteps(pretrainSteps);
        return w.build();
    }
}
