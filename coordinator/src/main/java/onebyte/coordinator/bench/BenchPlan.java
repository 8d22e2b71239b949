package onebyte.coordinator.bench;

import onebyte.proto.WorkloadSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * What one {@code onebyte bench} run measures.
 *
 * @param nodes cluster sizes N of the scaling table
 * @param params target parameter counts d (an MLP 20 → h → h → 4 with h chosen to come closest)
 * @param spsa measure SPSA points
 * @param fed measure FedSpeed points
 * @param warmup SPSA warm-up rounds per point
 * @param measured SPSA measured rounds per point
 * @param fedWarmup FedSpeed warm-up rounds per point
 * @param fedMeasured FedSpeed measured rounds per point
 * @param fedMaxNd FedSpeed points with N·d above this are skipped (0 = none skipped)
 * @param fedLocalSteps K of the FedSpeed points
 * @param scenario the quickstart scenario: its task for the 16-node goal and the time-to-target runs
 * @param quickstartNodes N of the quickstart rounds-per-second goal
 * @param quickstartMeasured measured rounds of that point
 * @param tttNodes nodes of the time-to-target runs
 * @param tttSpsaRounds SPSA rounds of the time-to-target run
 * @param tttFedRounds FedSpeed rounds of the time-to-target run
 * @param tttEvalEvery evaluation interval of the time-to-target runs
 * @param target target accuracy, or null for the lower of the two best accuracies
 * @param latencyMs one latency per round in the virtual times
 * @param seed run seed
 * @param parts what to run: any of scaling, quickstart, ttt
 * @param tttOverrides scenario overrides ("key=value") for the time-to-target runs only
 * @param sharing the SPSA scaling points run once per value: shared regeneration on (true) and/or off (false)
 * @param modelsOf scenario files whose model and data also get the scaling points ({@link ScenarioModel})
 */
public record BenchPlan(List<Integer> nodes, List<Integer> params, boolean spsa, boolean fed, int warmup, int measured,
                        int fedWarmup, int fedMeasured, long fedMaxNd, int fedLocalSteps, Path scenario, int quickstartNodes,
                        int quickstartMeasured, int tttNodes, long tttSpsaRounds, long tttFedRounds, int tttEvalEvery,
                        Double target, double latencyMs, long seed, java.util.Set<String> parts,
                        List<String> tttOverrides, List<Boolean> sharing, List<Path> modelsOf) {
    /** Every part, in the order they run. */
    public static final List<String> PARTS = List.of("scaling", "quickstart", "ttt");

    public BenchPlan {
        parts = java.util.Set.copyOf(parts);
        tttOverrides = List.copyOf(tttOverrides);
        sharing = List.copyOf(sharing);
        if (sharing.isEmpty()) throw new IllegalArgumentException("sharing must name on and/or off");
        if (!PARTS.containsAll(parts)) throw new IllegalArgumentException("parts must be among " + PARTS + ", got " + parts);
        nodes = List.copyOf(nodes);
        params = List.copyOf(params);
        modelsOf = List.copyOf(modelsOf);
        if (nodes.isEmpty() || nodes.stream().anyMatch(n -> n < 1)) throw new IllegalArgumentException("nodes must be >= 1");
        if (params.isEmpty() && modelsOf.isEmpty()) throw new IllegalArgumentException("no model sizes and no --model-of");
        if (params.stream().anyMatch(d -> d < 100)) throw new IllegalArgumentException("params must be >= 100");
    }

    /** Hidden width h of the MLP 20 → h → h → 4 whose d = h² + 26h + 4 is closest to {@code d}. */
    static int hiddenFor(int d) {
        int h = (int) Math.round((-26 + Math.sqrt(676 - 16 + 4.0 * d)) / 2);
        return Math.max(1, h);
    }

    /** The default scenario's synthetic workload with the MLP of a scaling point and no pretraining (θ_0 = the seeded initialisation). */
    static WorkloadSpec workloadFor(int d) {
        int h = hiddenFor(d);
        WorkloadSpec.Builder w = onebyte.coordinator.experiment.ScenarioSettings.workload(
                onebyte.coordinator.experiment.ScenarioSettings.DEFAULTS, null).toBuilder();
        w.getModelBuilder().clearHidden().addHidden(h).addHidden(h);
        w.getPretrainingBuilder().setSteps(0);
        return w.build();
    }

    /** Label of a target size: 100K, 1M, 4M, 2000. */
    static String label(int d) {
        if (d % 1_000_000 == 0) return d / 1_000_000 + "M";
        if (d % 1_000 == 0) return d / 1_000 + "K";
        return Integer.toString(d);
    }

    /** Parses 100K, 1M, 4M or a plain number. */
    public static int parseSize(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        long mult = t.endsWith("K") ? 1_000 : t.endsWith("M") ? 1_000_000 : 1;
        String num = mult == 1 ? t : t.substring(0, t.length() - 1);
        return Math.toIntExact((long) (Double.parseDouble(num) * mult));
    }
}
