package onebyte.coordinator.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import onebyte.coordinator.bench.TransformerBench;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.transformer.TransformerConfig;
import picocli.CommandLine.Command;
import onebyte.core.bert.MiniLm;
import picocli.CommandLine.Option;

/** {@code onebyte bench transformer}: see {@link TransformerBench}. */
@Command(name = "transformer", mixinStandardHelpOptions = true,
        description = "Transformer speed on one thread against a plain sgemm (forward throughput, SPSA step and gradient pass "
                + "in forwards) and SPSA replica memory against inference, measured in one run.")
public final class TransformerBenchCommand implements Callable<Integer> {
    @Option(names = "--model", description = "A transformer-lm or minilm spec, e.g. minilm:classes=2 (default: the default LM, "
            + "transformer-lm:vocab=256,layers=4,heads=4,width=128,context=64).")
    String model;

    @Option(names = "--encoder", description = "Measure a BERT encoder stack instead: bert[:vocab=30522,positions=512,types=2,"
            + "hidden=384,layers=6,heads=12,ffn=1536,eps=1e-12] (keys optional; the defaults are all-MiniLM-L6-v2's).")
    String encoder;

    @Option(names = "--batch", description = "Sequences per batch (default 8 for the LM, 16 for an encoder).")
    Integer batch;

    @Option(names = "--len", description = "Tokens per sequence (default: the LM's context; 64 for an encoder).")
    Integer len;

    @Option(names = "--seconds", defaultValue = "6", description = "Seconds of alternating measured calls, at least (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--no-memory", description = "Skip the fresh-JVM memory footprints (LM only).")
    boolean noMemory;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of θ and the tokens (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        ModelSpec lm = null;
        TransformerConfig enc = null;
        try {
            if (encoder != null) {
                if (model != null) throw new IllegalArgumentException("give --model or --encoder, not both");
                enc = parseEncoder(encoder);
            } else {
                lm = model == null ? ModelSpec.defaultTransformerLm() : ModelSpec.parse(model);
                if (!lm.isLanguageModel() && !lm.kind().equals(ModelSpec.MINILM)) {
                    throw new IllegalArgumentException("--model must be a transformer-lm or minilm spec, got " + lm);
                }
            }
            boolean bert = enc != null || !lm.isLanguageModel();
            int b = batch != null ? batch : bert ? 16 : 8;
            int t = len != null ? len : bert ? 64 : lm.context();
            int maxLen = enc != null ? enc.maxPositions() : bert ? MiniLm.CONFIG.maxPositions() : lm.context();
            if (b < 1 || t < 1 || t > maxLen) throw new IllegalArgumentException("need --batch >= 1 and 1 <= --len <= " + maxLen);
            if (!(seconds > 0)) throw new IllegalArgumentException("--seconds must be positive");
            TransformerBench.run(new TransformerBench.Plan(lm, enc, b, t, seconds, !noMemory, seed), System.out);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("onebyte bench transformer: " + e.getMessage());
            return 2;
        }
    }

    /** {@code bert[:key=value,...]} with all-MiniLM-L6-v2's shape as the defaults. */
    static TransformerConfig parseEncoder(String text) {
        String s = text.trim();
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        if (!kind.equals("bert")) throw new IllegalArgumentException("--encoder must start with bert, got '" + text + "'");
        Map<String, String> kv = new LinkedHashMap<>(Map.of("vocab", "30522", "positions", "512", "types", "2", "hidden", "384",
                "layers", "6", "heads", "12", "ffn", "1536", "eps", "1e-12"));
        if (colon >= 0 && colon + 1 < s.length()) {
            for (String part : s.substring(colon + 1).split(",")) {
                int eq = part.indexOf('=');
                String key = eq < 0 ? part.trim() : part.substring(0, eq).trim();
                if (eq <= 0 || !kv.containsKey(key)) {
                    throw new IllegalArgumentException("--encoder: expected key=value with key in " + kv.keySet() + ", got '" + part + "'");
                }
                kv.put(key, part.substring(eq + 1).trim());
            }
        }
        try {
            return TransformerConfig.bert(Integer.parseInt(kv.get("vocab")), Integer.parseInt(kv.get("positions")),
                    Integer.parseInt(kv.get("types")), Integer.parseInt(kv.get("hidden")), Integer.parseInt(kv.get("layers")),
                    Integer.parseInt(kv.get("heads")), Integer.parseInt(kv.get("ffn")), Double.parseDouble(kv.get("eps")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--encoder: not a number in '" + text + "'");
        }
    }
}
