package onebyte.coordinator.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.core.algorithm.Algorithm;

/**
 * A scaling point's model and data taken from a scenario file ({@code onebyte bench --model-of}),
 * e.g. all-MiniLM-L6-v2 on the spam corpus of {@code scenarios/minilm-spam.conf}: the scenario's
 * model, data, SPSA settings (batch, ε, codec, distribution, sharing) at N initial nodes, with no
 * churn and no pretraining (θ_0 is the model's own start: the loaded pretrained weights and a
 * seeded head, or the seeded initialisation), so a point costs the rounds it measures and not the
 * scenario's pretraining on every replica. A round's cost does not depend on θ's values.
 */
final class ScenarioModel {
    private final Path file;
    private final long seed;
    private final String label;
    private final Map<Integer, SpsaRunSettings> byNodes = new HashMap<>();

    private ScenarioModel(Path file, long seed, String label) {
        this.file = file;
        this.seed = seed;
        this.label = label;
    }

    /** Loads {@code file} for {@code nodes} nodes (a bad file fails here, before any point runs). */
    static ScenarioModel load(Path file, int nodes, long seed) throws Exception {
        String name = file.getFileName().toString();
        ScenarioModel m = new ScenarioModel(file, seed, name.endsWith(".conf") ? name.substring(0, name.length() - 5) : name);
        m.settings(nodes);
        return m;
    }

    /** The row label: the scenario file's name without {@code .conf}. */
    String label() {
        return label;
    }

    /** The scenario's SPSA settings at {@code nodes} initial nodes, no churn, no pretraining. */
    SpsaRunSettings settings(int nodes) throws Exception {
        SpsaRunSettings s = byNodes.get(nodes);
        if (s == null) {
            Scenario sc = new ScenarioLoader().load(file, List.of("churn.events=[]", "nodes.initial=" + nodes,
                    "run.seed=" + seed, "pretrain.steps=0"));
            s = ScenarioSettings.spsa(sc, Algorithm.SPSA, ChurnSchedule.resolve(sc), null, null);
            byNodes.put(nodes, s);
        }
        return s;
    }
}
