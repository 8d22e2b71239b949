package onebyte.core.model;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import onebyte.core.bert.BertWeights;
import onebyte.core.bert.MiniLm;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.SeedMixer;

/** Factory for {@link Model}s and their documented initial parameters. */
public final class Models {
    private Models() {}

    /**
     * Caps ND4J's native (OpenMP and BLAS) threads for this process. Small models run fastest on
     * one thread, and on a machine shared with other processes OpenMP's spinning threads can make
     * each small op 10× slower (measured: a two-forward SPSA step of a 676-parameter MLP took
     * 0.7 ms on one thread, 1.4–24 ms on two under load). Process-wide; call it once at startup.
     */
    public static void limitNativeThreads(int threads) {
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(threads);
        org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** Builds the model described by {@code spec}. */
    public static Model create(ModelSpec spec) {
        return switch (spec.kind()) {
            case ModelSpec.LOGREG, ModelSpec.MLP -> new DenseClassifier(spec);
            case ModelSpec.TRANSFORMER_LM -> new TransformerLm(spec);
            case ModelSpec.MINILM -> new BertClassifier(MiniLm.CONFIG, spec.classes());
            default -> throw new IllegalArgumentException("unknown model kind " + spec.kind());
        };
    }

    /**
     * Initial θ for {@code spec}, deterministic in (spec, seed) on every JVM. Tensor t (0-based, in
     * {@link Model#tensors()} order) is filled from {@code new SplittableRandom(SeedMixer.derive(seed,
     * t + 1))} in flat order:
     *
     * <ul>
     *   <li>names ending {@code .bias}: 0; names ending {@code .gain} (LayerNorm): 1;
     *   <li>dense {@code layer<l>.weight} [in, out]: N(0, g²/in) with g = √2 before a ReLU, else 1;
     *   <li>transformer embeddings and weights: N(0, 0.02²); residual output projections
     *       ({@code .attn.out.weight}, {@code .mlp.down.weight}): N(0, (0.02/√(2·layers))²);
     *   <li>{@code minilm}: the encoder's tensors are the pretrained weights ({@link MiniLm#weights()},
     *       from the ONNX file on the classpath), the head is a dense layer as above.
     * </ul>
     */
    public static ParameterVector initialParameters(ModelSpec spec, long seed) {
        Model model = create(spec);
        ParameterVector theta = new ParameterVector(model.numParams());
        List<Model.TensorShape> tensors = model.tensors();
        int first = 0;
        if (spec.kind().equals(ModelSpec.MINILM)) {
            BertWeights pretrained = pretrainedMiniLm();
            pretrained.copyInto(theta, 0);
            first = pretrained.all().size();
        }
        for (int t = first; t < tensors.size(); t++) {
            Model.TensorShape ts = tensors.get(t);
            SplittableRandom rng = new SplittableRandom(SeedMixer.derive(seed, t + 1));
            String name = ts.name();
            double std;
            double constant = 0;
            if (name.endsWith(".bias")) {
                std = 0;
            } else if (name.endsWith(".gain")) {
                std = 0;
                constant = 1;
            } else if (spec.isLanguageModel()) {
                boolean residualOut = name.endsWith(".attn.out.weight") || name.endsWith(".mlp.down.weight");
                std = residualOut ? 0.02 / Math.sqrt(2.0 * spec.layers()) : 0.02;
            } else {
                long fanIn = ts.shape()[0];
                boolean beforeRelu = spec.kind().equals(ModelSpec.MLP) && spec.activation().equals("relu")
                        && t + 2 < tensors.size();
                std = (beforeRelu ? Math.sqrt(2.0) : 1.0) / Math.sqrt(fanIn);
            }
            float[] buf = new float[(int) Math.min(ts.length(), 1 << 16)];
            for (long done = 0; done < ts.length(); done += buf.length) {
                int len = (int) Math.min(buf.length, ts.length() - done);
                for (int i = 0; i < len; i++) {
                    buf[i] = (float) (std == 0 ? constant : std * rng.nextGaussian());
                }
                theta.put((int) (ts.offset() + done), buf, 0, len);
            }
        }
        return theta;
    }

    private static BertWeights pretrainedMiniLm() {
        try {
            return MiniLm.weights();
        } catch (IOException | IllegalArgumentException e) {
            // a missing, truncated or non-BERT ONNX file: one line naming it (exit 2), never a stack trace
            String where = "classpath:" + MiniLm.ONNX_RESOURCE;
            String m = String.valueOf(e.getMessage());
            throw new onebyte.core.input.BadInputException(m.startsWith(where) ? m : where + ": cannot read the MiniLM weights: " + m);
        }
    }
}
