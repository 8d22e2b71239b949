package onebyte.core.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What model to build. Four kinds:
 *
 * <ul>
 *   <li>{@code logreg}: softmax regression, {@code inputs} features to {@code classes} classes;
 *   <li>{@code mlp}: dense layers of the given {@code hidden} sizes with {@code activation}
 *       ("relu" or "tanh") between them, then a softmax output layer;
 *   <li>{@code transformer-lm}: decoder-only byte-level language model with a {@code vocab}-symbol
 *       vocabulary (256), {@code layers} pre-LayerNorm blocks of {@code heads}-head causal
 *       self-attention and a 4×{@code width} GELU MLP, learned positions over {@code context}.
 *   <li>{@code minilm}: the pretrained all-MiniLM-L6-v2 sentence encoder (a 6-layer BERT, hidden 384,
 *       WordPiece vocabulary of 30,522; inputs are its token ids, 0 = [PAD]) with mean pooling and a
 *       linear head to {@code classes} classes.
 * </ul>
 *
 * <p>The canonical text form (see {@link #toString()}) is what {@link #parse} reads, e.g. {@code
 * logreg:inputs=32,classes=4}, {@code mlp:inputs=32,hidden=64x64,classes=4,activation=relu},
 * {@code transformer-lm:layers=4,heads=4,width=128,context=64}, {@code minilm:classes=2}. Fields that do not apply to a
 * kind are 0 / empty.
 */
public record ModelSpec(
        String kind,
        int inputs,
        int classes,
        List<Integer> hidden,
        String activation,
        int vocab,
        int layers,
        int heads,
        int width,
        int context) {

    public static final String LOGREG = "logreg";
    public static final String MLP = "mlp";
    public static final String TRANSFORMER_LM = "transformer-lm";
    public static final String MINILM = "minilm";

    public ModelSpec {
        hidden = List.copyOf(hidden == null ? List.of() : hidden);
        activation = activation == null ? "" : activation;
        switch (kind) {
            case LOGREG -> {
                requirePositive("inputs", inputs);
                requirePositive("classes", classes);
                if (!hidden.isEmpty()) throw new IllegalArgumentException("logreg has no hidden layers");
            }
            case MLP -> {
                requirePositive("inputs", inputs);
                requirePositive("classes", classes);
                if (hidden.isEmpty()) throw new IllegalArgumentException("mlp needs at least one hidden size");
                for (int h : hidden) requirePositive("hidden size", h);
                if (!activation.equals("relu") && !activation.equals("tanh")) {
                    throw new IllegalArgumentException("mlp activation must be relu or tanh, got '" + activation + "'");
                }
            }
            case TRANSFORMER_LM -> {
                requirePositive("vocab", vocab);
                requirePositive("layers", layers);
                requirePositive("heads", heads);
                requirePositive("width", width);
                requirePositive("context", context);
                if (width % heads != 0) {
                    throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
                }
            }
            case MINILM -> {
                if (classes < 2) throw new IllegalArgumentException("minilm needs at least 2 classes, got " + classes);
                if (inputs != 0 || !hidden.isEmpty() || !activation.isEmpty() || vocab != 0 || layers != 0 || heads != 0
                        || width != 0 || context != 0) {
                    throw new IllegalArgumentException("minilm takes only classes (its shape is the pretrained model's)");
                }
            }
            default -> throw new IllegalArgumentException(
                    "unknown model kind '" + kind + "' (expected logreg, mlp, transformer-lm or minilm)");
        }
    }

    private static void requirePositive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }

    public static ModelSpec logreg(int inputs, int classes) {
        return new ModelSpec(LOGREG, inputs, classes, List.of(), "", 0, 0, 0, 0, 0);
    }

    public static ModelSpec mlp(int inputs, List<Integer> hidden, int classes, String activation) {
        return new ModelSpec(MLP, inputs, classes, hidden, activation, 0, 0, 0, 0, 0);
    }

    /** Byte-level (vocab 256) decoder-only LM. */
    public static ModelSpec transformerLm(int layers, int heads, int width, int context) {
        return new ModelSpec(TRANSFORMER_LM, 0, 0, List.of(), "", 256, layers, heads, width, context);
    }

    /** The default LM: 4 layers, 4 heads, width 128, context 64 (≈ 0.84M parameters). */
    public static ModelSpec defaultTransformerLm() {
        return transformerLm(4, 4, 128, 64);
    }

    /** all-MiniLM-L6-v2 with a {@code classes}-way head. */
    public static ModelSpec minilm(int classes) {
        return new ModelSpec(MINILM, 0, classes, List.of(), "", 0, 0, 0, 0, 0);
    }

    public boolean isLanguageModel() {
        return kind.equals(TRANSFORMER_LM);
    }

    /** Parses the canonical form written by {@link #toString()}. */
    public static ModelSpec parse(String text) {
        String s = text.trim();
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        Map<String, String> kv = new LinkedHashMap<>();
        if (colon >= 0 && colon + 1 < s.length()) {
            for (String part : s.substring(colon + 1).split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("bad model spec '" + text + "': expected key=value, got '" + part + "'");
                kv.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        try {
            ModelSpec spec = switch (kind) {
                case LOGREG -> logreg(intOf(kv, "inputs", -1), intOf(kv, "classes", -1));
                case MLP -> mlp(intOf(kv, "inputs", -1), hiddenOf(kv.get("hidden")), intOf(kv, "classes", -1),
                        kv.getOrDefault("activation", "relu"));
                case TRANSFORMER_LM -> new ModelSpec(TRANSFORMER_LM, 0, 0, List.of(), "", intOf(kv, "vocab", 256),
                        intOf(kv, "layers", 4), intOf(kv, "heads", 4), intOf(kv, "width", 128), intOf(kv, "context", 64));
                case MINILM -> {
                    if (!List.of("classes").containsAll(kv.keySet())) {
                        throw new IllegalArgumentException("minilm takes only classes, got " + kv.keySet());
                    }
                    yield minilm(intOf(kv, "classes", -1));
                }
                default -> throw new IllegalArgumentException(
                        "unknown model kind '" + kind + "' (expected logreg, mlp, transformer-lm or minilm)");
            };
            kv.keySet().removeAll(List.of("inputs", "classes", "hidden", "activation", "vocab", "layers", "heads", "width", "context"));
            if (!kv.isEmpty()) throw new IllegalArgumentException("unknown keys " + kv.keySet());
            return spec;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad model spec '" + text + "': " + e.getMessage(), e);
        }
    }

    private static int intOf(Map<String, String> kv, String key, int dflt) {
        String v = kv.get(key);
        if (v == null) {
            if (dflt < 0) throw new IllegalArgumentException("missing " + key);
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not an integer: '" + v + "'");
        }
    }

    private static List<Integer> hiddenOf(String v) {
        if (v == null || v.isEmpty()) throw new IllegalArgumentException("missing hidden (e.g. hidden=64x64)");
        List<Integer> out = new ArrayList<>();
        for (String p : v.split("x")) {
            try {
                out.add(Integer.parseInt(p.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("hidden sizes must be integers joined by 'x', got '" + v + "'");
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case LOGREG -> LOGREG + ":inputs=" + inputs + ",classes=" + classes;
            case MLP -> MLP + ":inputs=" + inputs + ",hidden="
                    + hidden.stream().map(String::valueOf).collect(Collectors.joining("x"))
                    + ",classes=" + classes + ",activation=" + activation;
            case MINILM -> MINILM + ":classes=" + classes;
            default -> TRANSFORMER_LM + ":vocab=" + vocab + ",layers=" + layers + ",heads=" + heads
                    + ",width=" + width + ",context=" + context;
        };
    }
}
