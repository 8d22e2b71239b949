package onebyte.core.train;

import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.data.MinibatchSampler;
import onebyte.core.model.Evaluation;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.SeedMixer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backprop pretraining with Adam on the source distribution. Step t uses the minibatch
 * {@code MinibatchSampler.draw(train, batchSize, SeedMixer.derive(seed, t))}, so a run is
 * deterministic in (initial θ, data, config). Adam: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
 * θ ← θ − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε), optional decoupled weight decay (AdamW).
 */
public final class Pretrainer {
    private static final Logger LOG = LoggerFactory.getLogger(Pretrainer.class);

    /** Adam settings. {@code progressEvery} = how often (in steps) the callback hears the running loss. */
    public record Config(double lr, int steps, int batchSize, long seed, double beta1, double beta2, double epsilon,
            double weightDecay, int progressEvery) {
        public Config {
            if (!(lr > 0) || steps < 0 || batchSize < 1 || progressEvery < 1) {
                throw new IllegalArgumentException("need lr > 0, steps ≥ 0, batchSize ≥ 1, progressEvery ≥ 1");
            }
        }

        /** β1 = 0.9, β2 = 0.999, ε = 1e-8, no weight decay, progress every 100 steps. */
        public static Config of(double lr, int steps, int batchSize, long seed) {
            return new Config(lr, steps, batchSize, seed, 0.9, 0.999, 1e-8, 0.0, 100);
        }
    }

    /** Progress: step (1-based), mean training loss since the last report. */
    @FunctionalInterface
    public interface Progress {
        void onProgress(int step, double meanTrainLoss);
    }

    /** The trained θ and its loss/accuracy on the evaluation batch. */
    public record Result(ParameterVector parameters, double sourceLoss, double sourceAccuracy, int steps) {}

    private final Config config;

    public Pretrainer(Config config) {
        this.config = config;
    }

    /**
     * Trains a copy of {@code init} on {@code train} and evaluates it on all of {@code eval} (see
     * {@link Evaluation}). {@code progress} may be null.
     */
    public Result run(Model model, ParameterVector init, Dataset train, Dataset eval, Progress progress) {
        int d = model.numParams();
        ParameterVector theta = init.copy();
        ParameterVector grad = new ParameterVector(d);
        INDArray m = grad.array().ulike().assign(0);
        INDArray v = grad.array().ulike().assign(0);
        INDArray th = theta.array();
        // Adam's temporaries live in two work arrays: fresh ones every step would leave ~5 dead
        // d-element off-heap arrays per step for the garbage collector.
        INDArray tmp = grad.array().ulike();
        INDArray denom = grad.array().ulike();
        double b1 = config.beta1();
        double b2 = config.beta2();
        double lossSum = 0;
        int lossCount = 0;
        for (int t = 1; t <= config.steps(); t++) {
            Batch batch = MinibatchSampler.draw(train, config.batchSize(), SeedMixer.derive(config.seed(), t));
            double loss = model.lossAndGradient(theta, batch, grad);
            if (!Double.isFinite(loss)) throw new IllegalStateException("pretraining diverged at step " + t + " (loss " + loss + ")");
            lossSum += loss;
            lossCount++;
            INDArray g = grad.array();
            m.muli(b1).addi(tmp.assign(g).muli(1 - b1));
            v.muli(b2).addi(tmp.assign(g).muli(g).muli(1 - b2));
            double c1 = 1 - Math.pow(b1, t);
            double c2 = 1 - Math.pow(b2, t);
            Transforms.sqrt(denom.assign(v).divi(c2), false).addi(config.epsilon());
            if (config.weightDecay() > 0) th.muli(1 - config.lr() * config.weightDecay());
            th.subi(tmp.assign(m).divi(denom).muli(config.lr() / c1));
            if (t % config.progressEvery() == 0 || t == config.steps()) {
                double mean = lossSum / lossCount;
                LOG.debug("pretrain step {}/{} loss {}", t, config.steps(), mean);
                if (progress != null) progress.onProgress(t, mean);
                lossSum = 0;
                lossCount = 0;
            }
        }
        Evaluation e = Evaluation.of(model, eval, theta);
        return new Result(theta, e.loss(), e.accuracy(), config.steps());
    }
}
