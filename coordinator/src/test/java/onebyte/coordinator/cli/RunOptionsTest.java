package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.proto.WorkloadSpec;
import org.junit.jupiter.api.Test;

class RunOptionsTest {
    @Test
    void theWorkloadFlagChangesOnlyTheFieldsItNames() {
        WorkloadSpec d = ScenarioSettings.workload(ScenarioSettings.DEFAULTS, null);
        assertEquals(d, RunOptions.workload(""));
        WorkloadSpec w = RunOptions.workload("pretraining { steps: 1600 } model { hidden: 64 hidden: 64 }");
        assertEquals(1600, w.getPretraining().getSteps());
        assertEquals(d.getPretraining().getLr(), w.getPretraining().getLr());
        assertEquals(List.of(64, 64), w.getModel().getHiddenList(), "hidden sizes replace the default's, not append to them");
        assertEquals(d.getData(), w.getData());
    }

    @Test
    void aBadWorkloadFlagSaysWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunOptions.workload("pretraining { stepz: 1 }"));
        assertTrue(e.getMessage().startsWith("--workload: expected WorkloadSpec fields"), e.getMessage());
    }
}
