package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.core.model.Checkpoint;
import onebyte.core.model.ModelSpec;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * model.kind = minilm end to end on a small labelled text file: all-MiniLM-L6-v2 with its head
 * trained on the source groups, then SPSA (replicas must agree) and FedAvg on the target groups;
 * the checkpoint it wrote starts a second run; bad minilm keys end in one line.
 */
class MiniLmScenarioTest {
    @TempDir Path dir;

    private static final String[] SPAM = {"win a free prize now", "cheap pills online, order today", "claim your cash reward",
        "you have won a lottery", "limited offer: buy one get one free", "urgent: verify your account, click here",
        "hot singles in your area", "lowest mortgage rates, apply now", "make money fast from home", "free gift card inside"};
    private static final String[] HAM = {"lunch at noon tomorrow?", "the meeting moved to thursday", "notes from the design review",
        "can you check my patch to the parser", "see you at the conference next week", "the build is green again",
        "minutes of the board meeting attached", "please review the draft by friday", "the server reboot is scheduled",
        "thanks for the quick fix"};

    private Path data() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < SPAM.length; i++) {
            String group = i < 5 ? "src" : "tgt";
            b.append("{\"text\": \"").append(SPAM[i]).append("\", \"label\": \"spam\", \"group\": \"").append(group).append("\"}\n");
            b.append("{\"text\": \"").append(HAM[i]).append("\", \"label\": \"ham\", \"group\": \"").append(group).append("\"}\n");
            for (String prefix : new String[] {"re: ", "fwd: ", "re: re: "}) { // a target pool of 48 (≥ the 32 virtual shards)
                b.append("{\"text\": \"").append(prefix).append(HAM[i]).append("\", \"label\": \"ham\", \"group\": \"tgt\"}\n");
                b.append("{\"text\": \"").append(prefix).append(SPAM[i]).append("\", \"label\": \"spam\", \"group\": \"tgt\"}\n");
            }
        }
        Path f = dir.resolve("mail.jsonl");
        Files.writeString(f, b.toString());
        return f;
    }

    private Path scenario(String extra) throws Exception {
        Path f = dir.resolve("minilm.conf");
        Files.writeString(f, "run.output-dir = \"" + dir.resolve("runs") + "\"\nmodel.kind = minilm\n"
                + "data { kind = text, path = \"" + data() + "\", groups = [tgt], source-groups = [src], max-tokens = 12, eval-fraction = 0.2 }\n"
                + "pretrain { steps = 60, lr = 0.01, batch-size = 4 }\nnodes.initial = 3\neval.every = 2\n"
                + "spsa { batch-size = 2, lr = 1e-4, round-deadline = 60s }\nfedavg { local-steps = 1, batch-size = 2, lr = 1e-3, round-deadline = 120s }\n"
                + extra);
        return f;
    }

    @Test
    void aMiniLmScenarioPretrainsItsHeadAndRunsSpsaAndFedAvgWithAgreeingReplicas() throws Exception {
        Path s = scenario("run.algorithms = [spsa, fedavg]\nbudget.rounds = 3\n");
        RunCommandTest.Console c = RunCommandTest.Console.execute("run", s.toString());
        assertEquals(0, c.code(), c.out());
        assertTrue(c.out().contains("classes ham → 0, spam → 1"), c.out());
        assertTrue(c.out().contains("pretrained minilm:classes=2 (22566146 parameters) (the pretrained encoder, its head alone trained on the source)"),
                c.out());
        Path run;
        try (Stream<Path> runs = Files.list(dir.resolve("runs"))) {
            run = runs.findFirst().orElseThrow();
        }
        List<MetricsRow> rows = MetricsFiles.readCsv(run.resolve(MetricsFiles.CSV));
        List<MetricsRow> spsa = rows.stream().filter(r -> r.algorithm().equals("spsa")).toList(); // rounds 0, 1, 2
        assertEquals(3, spsa.size(), rows.toString());
        assertTrue(spsa.stream().allMatch(r -> Boolean.TRUE.equals(r.replicasAgree()) && r.contributed() == 3), spsa.toString());
        assertTrue(rows.stream().filter(r -> r.algorithm().equals("fedavg")).anyMatch(r -> r.round() == 2 && r.evalAccuracy() >= 0), rows.toString());
        assertTrue(Files.readString(run.resolve("summary.json")).contains("classes ham → 0, spam → 1"), "summary.json states the label mapping");
        Checkpoint cp = Checkpoint.read(run.resolve("pretrained.ckpt"));
        assertEquals(ModelSpec.minilm(2), cp.spec());
        assertTrue(cp.metadata().get("pretrain").startsWith("all-MiniLM-L6-v2 encoder as pretrained (frozen), head: adam"), cp.metadata().toString());

        // the checkpoint starts another run: no pretraining, the same θ_0 (the same round-0 accuracy)
        c = RunCommandTest.Console.execute("run", s.toString(), "--set", "model.checkpoint=\"" + run.resolve("pretrained.ckpt") + "\"",
                "--set", "run.algorithms=[spsa]", "--set", "budget.rounds=1", "--set", "run.id=again");
        assertEquals(0, c.code(), c.out());
        assertFalse(c.out().contains("pretrained minilm"), c.out());
        Path again;
        try (Stream<Path> runs = Files.list(dir.resolve("runs"))) {
            again = runs.filter(p -> p.getFileName().toString().startsWith("again-")).findFirst().orElseThrow();
        }
        double start = rows.stream().filter(r -> r.algorithm().equals("spsa") && r.round() == 0).findFirst().orElseThrow().evalAccuracy();
        assertEquals(start, MetricsFiles.readCsv(again.resolve(MetricsFiles.CSV)).get(0).evalAccuracy());
    }

    @Test
    void theHeadlineScenarioIsMiniLmOnTheSpamAssassinShift() {
        FetchedData.fetch("spam-assassin", "spam-assassin.jsonl");
        Scenario s = new ScenarioLoader().load(Path.of("..", "scenarios", "minilm-spam.conf"), List.of());
        assertEquals("minilm", s.model().kind());
        assertEquals(64, s.data().files().maxTokens());
        assertEquals(List.of("hard-ham-1", "easy-ham-2", "spam-2"), s.data().files().groups());
        assertEquals(List.of("easy-ham-1", "spam-1"), s.data().files().sourceGroups());
        assertEquals(8, s.nodes().initial());
        assertTrue(s.spsa().sharedRegeneration());
        assertEquals(25, s.eval().every());
        assertEquals(1, s.eval().federatedEvery());
        assertEquals(2, s.churn().events().size());
        // eval.federated-every = 0 (the default) is eval.every
        assertEquals(25, new ScenarioLoader().load(Path.of("..", "scenarios", "minilm-spam.conf"), List.of("eval.federated-every=0"))
                .eval().federatedEvery());
    }

    @Test
    void badMiniLmKeysEndInOneLine() throws Exception {
        BadInputTest.assertOneLine(BadInputTest.run("run", "../scenarios/quickstart.conf", "--set", "model.kind=minilm"),
                "data.kind: model.kind = minilm reads labelled text (data.kind = text), got synthetic");
        BadInputTest.assertOneLine(BadInputTest.run("run", scenario("data.max-tokens = 1000\n").toString()),
                "data.max-tokens: expected a whole number in 2..512, got 1000");
        Path logreg = dir.resolve("logreg.ckpt");
        new Checkpoint(ModelSpec.logreg(4, 2), new ParameterVector(10), 1, Map.of()).write(logreg);
        BadInputTest.assertOneLine(BadInputTest.run("run", scenario("model.checkpoint = \"" + logreg + "\"\n").toString()),
                "the checkpoint holds logreg:inputs=4,classes=2, the scenario's model is minilm:classes=2");
    }
}
