package onebyte.node.engine;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import onebyte.core.data.DataFormat;
import onebyte.core.data.FileTask;
import onebyte.core.data.HashedTextFeatures;
import onebyte.core.data.LabelledTextFile;
import onebyte.core.data.TextEncoder;
import onebyte.core.input.BadInputException;
import onebyte.core.model.ModelSpec;
import onebyte.core.text.TokenTextEncoder;
import onebyte.proto.WorkloadSpec;

/**
 * The workload of the user's files ({@link WorkloadSpec.FileData}; texts as hashed features for
 * logreg/mlp, as MiniLM token ids when {@code max_tokens} is set): a {@link FileTask}'s target
 * pool cut into shards, its target evaluation set, θ_0 from the checkpoint or pretrained on its
 * source split. Tasks are cached per (file spec, seed): the coordinator (for the model's
 * dimensions and pretraining) and every node of one JVM read the files once.
 */
public final class FileWorkloadFactory implements Workload.Factory {
    private static final Map<String, FileTask> TASKS = new ConcurrentHashMap<>();

    @Override
    public Workload create(WorkloadSpec spec, long seed) {
        FileTask task = task(spec.getData().getFile(), seed);
        ModelSpec model = PooledWorkload.model(spec);
        boolean tokens = spec.getData().getFile().getMaxTokens() > 0;
        boolean bert = model.kind().equals(ModelSpec.MINILM);
        if (model.isLanguageModel() || bert != tokens || !bert && model.inputs() != task.pool().inputWidth()
                || model.classes() != task.classes().size()) {
            throw new IllegalArgumentException("the files give " + task.pool().inputWidth() + (tokens ? " token ids" : " features") + " and "
                    + task.classes().size() + " classes; the workload's model is " + model);
        }
        boolean pretrains = spec.getCheckpoint().isEmpty() && spec.getPretraining().getSteps() > 0;
        if (pretrains && !task.hasSource()) {
            throw BadInputException.at(spec.getData().getFile().getPath(), 0, "no source split to pretrain on");
        }
        // without pretraining steps the source only serves the (unused) source accuracy: the target stands in
        return PooledWorkload.build(spec, model, task.pool(), task.eval(), () -> task.hasSource()
                ? new PooledWorkload.Source(task.source(), task.sourceEval())
                : new PooledWorkload.Source(task.pool(), task.eval()), seed);
    }

    @Override
    public onebyte.core.data.Dataset targetPool(WorkloadSpec spec, long seed) {
        return task(spec.getData().getFile(), seed).pool();
    }

    /** The task these files and this seed give (read once per JVM). */
    public static FileTask task(WorkloadSpec.FileData f, long seed) {
        return TASKS.computeIfAbsent(seed + "|" + f, k -> load(f, seed));
    }

    private static FileTask load(WorkloadSpec.FileData f, long seed) {
        Path path = Path.of(f.getPath());
        FileTask.Spec spec = new FileTask.Spec(f.getText(), path, DataFormat.of(f.getFormat(), path),
                new LabelledTextFile.Columns(f.getTextColumn(), f.getLabelColumn(), f.getGroupColumn()), f.getGroupsList(),
                f.getSourcePath().isEmpty() ? null : Path.of(f.getSourcePath()), f.getSourceGroupsList(), f.getSourceFraction(),
                f.getEvalFraction());
        TextEncoder encoder = !f.getText() ? null
                : f.getMaxTokens() > 0 ? TokenTextEncoder.miniLm(f.getMaxTokens()) : new HashedTextFeatures(f.getHashedFeatures(), seed);
        return FileTask.load(spec, encoder, seed);
    }
}
