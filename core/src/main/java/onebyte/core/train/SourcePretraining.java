package onebyte.core.train;

import onebyte.core.data.Dataset;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.SeedMixer;

/**
 * θ_0 of a fine-tuning run: the model's seeded initialisation, then Adam on the source
 * distribution (for {@code minilm}: the pretrained encoder, frozen, and Adam on its head alone,
 * see {@link HeadPretraining}). Every process that runs this with the same inputs gets the same bits, so a
 * run's coordinator, its nodes and a checkpoint written by {@code onebyte pretrain} agree.
 */
public final class SourcePretraining {
    /** Salt of the initialisation seed ("INIT"). */
    public static final long SALT_INIT = 0x494E4954L;
    /** Salt of the pretraining minibatch seed ("PRETR"). */
    public static final long SALT_PRETRAIN = 0x5052455452L;

    /** Adam steps, learning rate and batch size; {@code steps = 0} keeps the initialisation. */
    public record Recipe(int steps, double lr, int batchSize) {}

    private SourcePretraining() {}

    public static Pretrainer.Result run(ModelSpec spec, Dataset sourceTrain, Dataset sourceEval, Recipe recipe, long runSeed,
            Pretrainer.Progress progress) {
        Model model = Models.create(spec);
        ParameterVector init = Models.initialParameters(spec, SeedMixer.derive(runSeed, SALT_INIT));
        if (spec.kind().equals(ModelSpec.MINILM)) {
            return HeadPretraining.run(model, init, sourceTrain, sourceEval, recipe, SeedMixer.derive(runSeed, SALT_PRETRAIN), progress);
        }
        Pretrainer.Config cfg = Pretrainer.Config.of(recipe.lr(), recipe.steps(), recipe.batchSize(),
                SeedMixer.derive(runSeed, SALT_PRETRAIN));
        return new Pretrainer(cfg).run(model, init, sourceTrain, sourceEval, progress);
    }
}
