package onebyte.coordinator.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import onebyte.core.data.FileTask;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.data.SyntheticText;
import onebyte.core.input.BadInputException;
import onebyte.core.model.Checkpoint;
import onebyte.core.model.Evaluation;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.train.Pretrainer;
import onebyte.core.train.SourcePretraining;
import onebyte.coordinator.scenario.Scenario;

/**
 * The checkpoint a scenario's fine-tuning starts from: the file the scenario names, or a model
 * pretrained with Adam on the scenario's <em>source</em> distribution (the runs then fine-tune on
 * the shifted target distribution), written as a checkpoint file so every process of the run
 * loads the same θ_0 bits.
 */
public final class ScenarioCheckpoint {
    private ScenarioCheckpoint() {}

    /** The model the scenario describes, with the data dimensions filled in (for the user's files: from the files). */
    public static ModelSpec modelSpec(Scenario s) {
        Scenario.ModelSection m = s.model();
        int inputs = s.data().features();
        int classes = s.data().classes();
        if (s.data().fromFiles()) {
            FileTask task = ScenarioSettings.fileTask(s);
            inputs = task.pool().inputWidth();
            classes = task.classes().size();
        }
        return switch (m.kind()) {
            case ModelSpec.LOGREG -> ModelSpec.logreg(inputs, classes);
            case ModelSpec.MLP -> ModelSpec.mlp(inputs, m.hidden(), classes, "relu");
            case ModelSpec.MINILM -> ModelSpec.minilm(classes);
            default -> ModelSpec.transformerLm(m.layers(), m.heads(), m.width(), m.context());
        };
    }

    /** The path of the checkpoint to start from: the scenario's own, or a freshly pretrained one in {@code runDir}. */
    public static Path prepare(Scenario s, Path runDir, Consumer<String> progress) {
        if (s.model().checkpoint() != null) {
            return s.model().checkpoint();
        }
        Path file = runDir.resolve("pretrained.ckpt");
        pretrain(s, file, progress);
        return file;
    }

    /**
     * Checks the scenario's own checkpoint, if it names one, before anything starts: a corrupt file
     * or one of another model than the scenario's fails with a {@link BadInputException}.
     */
    public static void validate(Scenario s) {
        if (s.data().fromFiles()) ScenarioSettings.fileTask(s); // reads the files: a bad one fails here, with file:line
        if (s.model().checkpoint() != null) check(s, s.model().checkpoint());
    }

    private static void check(Scenario s, Path file) {
        ModelSpec want = modelSpec(s);
        Checkpoint cp;
        try {
            cp = Checkpoint.read(file);
        } catch (IOException e) {
            throw BadInputException.at(file, 0, "cannot read the checkpoint: " + e.getMessage());
        }
        if (!cp.spec().equals(want)) {
            throw BadInputException.at(file, 0, "the checkpoint holds " + cp.spec() + ", the scenario's model is " + want
                    + " (model.checkpoint must come from `onebyte pretrain` of this scenario's model and data)");
        }
    }

    /**
     * Pretrains the scenario's model on its source distribution and writes the checkpoint to
     * {@code file}. Uses the same data and seeds as the cluster workloads' own pretraining, so a
     * node that builds θ_0 itself gets the same bits.
     */
    public static void pretrain(Scenario s, Path file, Consumer<String> progress) {
        ModelSpec spec = modelSpec(s);
        long seed = s.run().seed();
        InMemoryDataset source;
        InMemoryDataset sourceEval;
        InMemoryDataset targetEval;
        String data;
        switch (s.data().kind()) {
            case "synthetic" -> {
                SyntheticClassification task = new SyntheticClassification(s.data().features(), s.data().classes(), s.data().shift(), seed);
                source = task.sourceTrain(s.data().trainSize(), seed);
                sourceEval = task.sourceEval(s.data().evalSize(), seed);
                targetEval = task.targetEval(s.data().evalSize(), seed);
                data = "synthetic source features=" + s.data().features() + " classes=" + s.data().classes() + " shift=" + s.data().shift();
            }
            case "synthetic-text" -> {
                SyntheticText text = new SyntheticText(s.data().shift(), seed);
                int context = s.model().context();
                source = text.sourceTrain(s.data().trainSize(), context, seed);
                sourceEval = text.sourceEval(s.data().evalSize(), context, seed);
                targetEval = text.targetEval(s.data().evalSize(), context, seed);
                data = "synthetic-text source shift=" + s.data().shift() + " windows=" + s.data().trainSize();
            }
            case "csv", "text" -> {
                FileTask task = ScenarioSettings.fileTask(s);
                // without a source split (pretrain.steps = 0) the target stands in for the source accuracy
                source = task.hasSource() ? task.source() : task.pool();
                sourceEval = task.hasSource() ? task.sourceEval() : task.eval();
                targetEval = task.eval();
                data = task.description();
            }
            default -> throw new IllegalArgumentException("data.kind = " + s.data().kind() + " has no pretraining");
        }
        int steps = s.pretrain().steps();
        Pretrainer.Result r = SourcePretraining.run(spec, source, sourceEval,
                new SourcePretraining.Recipe(steps, s.pretrain().lr(), s.pretrain().batchSize()), seed,
                (step, loss) -> progress.accept(String.format(java.util.Locale.ROOT, "pretrain step %d/%d  source loss %.4f",
                        step, steps, loss)));
        Model model = Models.create(spec);
        double targetAcc = Evaluation.of(model, targetEval, r.parameters()).accuracy();
        String how = spec.kind().equals(ModelSpec.MINILM) ? " (the pretrained encoder, its head alone trained on the source)" : "";
        progress.accept(steps == 0
                ? String.format(java.util.Locale.ROOT, "no pretraining (pretrain.steps = 0): %s (%d parameters) from its seeded "
                        + "initialisation, target accuracy %.2f%% before fine-tuning", spec, model.numParams(), 100 * targetAcc)
                : String.format(java.util.Locale.ROOT,
                "pretrained %s (%d parameters)%s: source accuracy %.2f%%, target accuracy %.2f%% before fine-tuning",
                spec, model.numParams(), how, 100 * r.sourceAccuracy(), 100 * targetAcc));
        try {
            new Checkpoint(spec, r.parameters(), seed, Map.of(
                    "data", data,
                    "pretrain", (spec.kind().equals(ModelSpec.MINILM) ? "all-MiniLM-L6-v2 encoder as pretrained (frozen), head: " : "")
                            + "adam lr=" + s.pretrain().lr() + " steps=" + s.pretrain().steps() + " batch=" + s.pretrain().batchSize(),
                    "source_accuracy", Double.toString(r.sourceAccuracy()),
                    "target_accuracy", Double.toString(targetAcc))).write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
