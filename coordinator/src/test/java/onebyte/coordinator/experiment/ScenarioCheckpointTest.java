package onebyte.coordinator.experiment;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import onebyte.core.model.Checkpoint;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.node.engine.Workload;
import onebyte.node.engine.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioCheckpointTest {
    @Test
    void aWrittenCheckpointHoldsTheSameBitsAsTheWorkloadsOwnPretraining(@TempDir Path dir) throws Exception {
        Scenario s = new ScenarioLoader().load(Path.of("../scenarios/quickstart.conf"), List.of("pretrain.steps=60"));
        Path file = dir.resolve("q.ckpt");
        List<String> lines = new ArrayList<>();
        ScenarioCheckpoint.pretrain(s, file, lines::add);
        assertTrue(lines.get(lines.size() - 1).contains("target accuracy"), lines.toString());
        Checkpoint cp = Checkpoint.read(file);
        assertEquals(ScenarioCheckpoint.modelSpec(s), cp.spec());

        Workload self = Workloads.get(ScenarioSettings.workload(s, null), s.run().seed());
        assertArrayEquals(cp.parameters().hash(), self.initialParameters().hash(),
                "a node that pretrains by itself must start from the checkpoint's θ_0");
        Workload fromFile = Workloads.get(ScenarioSettings.workload(s, file), s.run().seed());
        assertArrayEquals(cp.parameters().hash(), fromFile.initialParameters().hash());
    }

    @Test
    void theLanguageModelScenarioPretrainsOnItsSourceText(@TempDir Path dir) throws Exception {
        Scenario s = new ScenarioLoader().load(Path.of("../scenarios/lm-finetune.conf"), List.of(
                "pretrain.steps=20", "model.layers=1", "model.width=32", "model.heads=2", "model.context=16",
                "data.train-size=500", "data.eval-size=32"));
        Path file = dir.resolve("lm.ckpt");
        List<String> lines = new ArrayList<>();
        ScenarioCheckpoint.pretrain(s, file, lines::add);
        assertTrue(Files.size(file) > 4 * 10_000);
        Checkpoint cp = Checkpoint.read(file);
        assertTrue(cp.spec().isLanguageModel());
        Workload w = Workloads.get(ScenarioSettings.workload(s, file), s.run().seed());
        assertArrayEquals(cp.parameters().hash(), w.initialParameters().hash());
        assertEquals(32, w.evalSet().size());
        assertTrue(w.shard(1).size() > 0 && w.shard(2).size() > 0);
        double loss = w.newModel().loss(w.initialParameters(), w.draw(w.shard(1), 4, 7));
        assertTrue(loss > 0 && loss < Math.log(256), "pretrained LM loss should beat uniform: " + loss);
    }
}
