package onebyte.coordinator.experiment;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.core.model.ModelSpec;
import onebyte.node.engine.WorkloadSpecs;
import onebyte.proto.WorkloadSpec;
import org.junit.jupiter.api.Test;

/** The typed workload carries the scenario's values, and the defaults come from scenario-defaults.conf only. */
class ScenarioWorkloadTest {
    @Test
    void theWorkloadHoldsEveryValueOfTheScenario() {
        Scenario s = new ScenarioLoader().load(Path.of("../scenarios/non-iid.conf"), List.of(
                "data.features=12", "data.classes=3", "data.shift=0.25", "data.train-size=3000", "data.eval-size=500",
                "model.hidden=[24, 8]", "pretrain.steps=7", "pretrain.lr=0.02", "pretrain.batch-size=16"));
        WorkloadSpec w = ScenarioSettings.workload(s, Path.of("theta0.ckpt"));
        assertEquals(ModelSpec.mlp(12, List.of(24, 8), 3, "relu"), WorkloadSpecs.model(w.getModel()));
        assertEquals(WorkloadSpec.SyntheticData.newBuilder().setFeatures(12).setClasses(3).setShift(0.25).build(),
                w.getData().getSynthetic());
        assertEquals(3000, w.getData().getTrainSize());
        assertEquals(500, w.getData().getEvalSize());
        assertEquals("dirichlet", w.getPartition().getScheme());
        assertEquals(0.1, w.getPartition().getAlpha());
        assertEquals(WorkloadSpec.Pretraining.newBuilder().setSteps(7).setLr(0.02).setBatchSize(16).build(), w.getPretraining());
        assertEquals(Path.of("theta0.ckpt").toAbsolutePath().toString(), w.getCheckpoint());
        assertEquals("", w.getFactory());
    }

    @Test
    void theLanguageModelWorkloadIsSyntheticText() {
        Scenario s = new ScenarioLoader().load(Path.of("../scenarios/lm-finetune.conf"), List.of());
        WorkloadSpec w = ScenarioSettings.workload(s, null);
        assertEquals(WorkloadSpec.Data.KindCase.SYNTHETIC_TEXT, w.getData().getKindCase());
        assertTrue(WorkloadSpecs.model(w.getModel()).isLanguageModel());
        assertEquals(s.data().shift(), w.getData().getSyntheticText().getShift());
    }

    @Test
    void runsWithoutAScenarioFileTakeTheScenarioDefaults() {
        Scenario d = ScenarioSettings.DEFAULTS;
        SpsaRunSettings s = ScenarioSettings.spsaDefaults().build();
        assertEquals(d.spsa().batchSize(), s.batchSize());
        assertEquals(d.spsa().lr(), s.lr());
        assertEquals(d.spsa().roundDeadline(), s.roundDeadline());
        assertEquals(d.nodes().initial(), s.nodes());
        assertEquals(d.pretrain().steps(), s.workload().getPretraining().getSteps());
        // FedSpeed's batch is the scenario's (64), not another default of its own
        assertEquals(d.fedspeed().batchSize(), ScenarioSettings.fedClient(d, "fedspeed").batchSize());
        assertEquals(d.fedavg().batchSize(), ScenarioSettings.fedClient(d, "fedavg").batchSize());
    }
}
