package onebyte.coordinator.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/** The goals of issue 8, checked against the measured rows: worst case, met or missed, and where. */
final class Goals {
    private Goals() {}

    static List<Map<String, Object>> evaluate(List<Map<String, Object>> rows, List<Map<String, Object>> footprints) {
        List<Map<String, Object>> out = new ArrayList<>();
        Predicate<Map<String, Object>> spsa = r -> "spsa".equals(r.get("algorithm"));
        // below one 65,536-element chunk the per-direction fixed costs (seeding, dispatch) dominate; the goal is about d.
        // With shared regeneration most applications take computed chunks: only replicas working alone measure the fused update
        out.add(worst("fused update efficiency (n × generate-once / regenerate n) >= 0.5, d >= 65,536, shared regeneration off",
                rows, r -> spsa.test(r) && ((Number) r.get("d")).intValue() >= 65_536 && "off".equals(r.get("shared_regeneration")),
                "fused_efficiency", 0.5, true));
        out.add(worst("one SPSA step <= 2.3 forward passes", rows, spsa, "step_over_forward", 2.3, false));
        out.add(worst("embedded 16-node SPSA on the quickstart model >= 5 rounds/s",
                rows, r -> spsa.test(r) && "quickstart".equals(r.get("model")) && Integer.valueOf(16).equals(r.get("nodes")),
                "rounds_per_s", 5, true));
        out.add(worst("SPSA replica memory <= 1.5 × inference footprint", footprints, r -> true, "spsa_over_inference", 1.5,
                false));
        return out;
    }

    /** The worst row of {@code column} among {@code rows} matching {@code which}, against {@code limit}. */
    private static Map<String, Object> worst(String goal, List<Map<String, Object>> rows, Predicate<Map<String, Object>> which,
                                             String column, double limit, boolean atLeast) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("goal", goal);
        g.put("column", column);
        g.put("limit", limit);
        Map<String, Object> worst = null;
        int checked = 0;
        int failing = 0;
        for (Map<String, Object> r : rows) {
            if (!which.test(r) || !(r.get(column) instanceof Number v)) {
                continue;
            }
            checked++;
            double x = v.doubleValue();
            boolean ok = atLeast ? x >= limit : x <= limit;
            if (!ok) {
                failing++;
            }
            if (worst == null || (atLeast ? x < ((Number) worst.get(column)).doubleValue() : x > ((Number) worst.get(column)).doubleValue())) {
                worst = r;
            }
        }
        g.put("points_checked", checked);
        g.put("points_missed", failing);
        if (worst == null) {
            g.put("met", null);
            g.put("worst", null);
            g.put("where", "not measured in this run");
        } else {
            g.put("met", failing == 0);
            g.put("worst", ((Number) worst.get(column)).doubleValue());
            g.put("where", String.format(Locale.ROOT, "%s d=%s%s", worst.get("model"), worst.get("d"),
                    worst.containsKey("nodes") ? " N=" + worst.get("nodes") : ""));
        }
        return g;
    }
}
