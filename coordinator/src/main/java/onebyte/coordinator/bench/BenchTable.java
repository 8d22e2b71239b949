package onebyte.coordinator.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scaling table: one row per (algorithm, nodes, d). Every column is listed in
 * {@link #COLUMNS} with its meaning; a column that does not apply to an algorithm is empty in
 * bench.csv and null in bench.json. Times are CPU seconds on the thread that did the work unless
 * the name says wall.
 */
public final class BenchTable {
    /** Column name → meaning, in output order. */
    public static final Map<String, String> COLUMNS = columns(
            "algorithm", "spsa | fedspeed",
            "model", "workload label (mlp-100K, ..., quickstart)",
            "nodes", "N, nodes in the cluster",
            "d", "trainable parameters",
            "shared_regeneration", "SPSA: spsa.shared-regeneration of the run (on: this JVM's replicas compute each chunk of a"
                    + " round's update once and take each other's results; off: every replica regenerates all n directions)",
            "speedup_vs_unshared", "SPSA, on rows when the same point also ran with off in this bench run: round_wall_s(off)"
                    + " / round_wall_s(on)",
            "rounds_measured", "rounds in the measured window (after warm-up, before the final round)",
            "round_wall_s", "wall seconds per round, close to close (the whole embedded cluster on this machine)",
            "rounds_per_s", "1 / round_wall_s",
            "process_cpu_s_per_round", "CPU seconds of the whole JVM per round (all threads)",
            "cpu_utilisation", "process CPU seconds per wall second (2 = both cores busy)",
            "work_cpu_s_per_round", "CPU seconds per round of the algorithm's own work, summed over all replicas",
            "other_cpu_s_per_round", "process − work: messaging, serialization, actors, GC, JIT",
            "forward_ms", "SPSA: CPU ms of one forward pass (loss) of the model at the SPSA batch size, measured in the bench"
                    + " process on one thread (median of 21 after ≥ 20 calls and 0.5 s of warm-up; the samples of fused models make"
                    + " no separate forward passes)",
            "forwards_per_round", "SPSA: separate forward passes per round, all nodes (0 for models with the fused θ±εz evaluation)",
            "step_ms", "SPSA: CPU ms per sample (z generated once, θ±εz built, both points evaluated; helper threads included)",
            "perturb_ms", "SPSA: step_ms minus 2 × forward_ms (the step's cost beyond two forward passes)",
            "step_over_forward", "SPSA: step_ms / forward_ms (goal ≤ 2.3)",
            "regen_ms", "SPSA: CPU ms per commit application by one replica (regenerates n directions, fused update; with"
                    + " shared regeneration on, the average over the replicas, most of which take chunks others computed)",
            "regen_directions", "SPSA: n, directions per commit",
            "regen_cpu_s_per_round", "SPSA: CPU seconds per round of commit applications, all N + 1 replicas together",
            "generate_once_ms", "SPSA: CPU ms to generate one direction of d elements into a fresh buffer, one thread",
            "fused_efficiency", "SPSA: n × generate_once_ms / regen_ms (goal ≥ 0.5)",
            "gradient_ms", "FedSpeed: CPU ms per gradient pass (batch 32)",
            "gradients_per_round", "FedSpeed: gradient passes per round, all nodes",
            "node_compute_s_per_round", "one node's work per round (SPSA: step + regen; FedSpeed: its gradient passes)",
            "bytes_up_per_node", "wire bytes up per node per round (coordinator's counters: payload + envelope)",
            "bytes_down_per_node", "wire bytes down per node per round",
            "peak_rss_per_node_mb", "cluster run: growth of the JVM's peak resident set (heap + off-heap) over the run / N, MiB"
                    + " (includes each node's ActorSystem and the coordinator's share; undercounts reused memory)",
            "peak_heap_per_node_mb", "cluster run: growth of peak heap in use / N, MiB",
            "inference_mb", "model inference footprint (fresh JVM: off-heap peak + heap retained while θ and the model run 3 forward passes), MiB",
            "rss_per_node_over_inference", "peak_rss_per_node_mb / inference_mb; empty when inference_mb < 4 MiB",
            "replica_mem_mb", "one replica, measured like inference_mb (SPSA: model, θ, the engine with whatever it allocates"
                    + " (a scratch copy of θ only for models without the fused evaluation), 3 samples, one commit;"
                    + " FedSpeed: model, x^t, one client round with its dual state and x̂), MiB",
            "replica_mem_over_inference", "replica_mem_mb / inference_mb (goal for SPSA ≤ 1.5); empty when inference_mb < 4 MiB (noise)",
            "vt_round_s_1mbps", "virtual round time at 1 Mbit/s links: node_compute + bytes·8/rate + latency",
            "vt_round_s_10mbps", "the same at 10 Mbit/s",
            "vt_round_s_1gbps", "the same at 1 Gbit/s",
            "replicas_agree", "SPSA: every measured round's replica hashes agreed");

    /** Link rates of the virtual-time columns, bit/s, in column order. */
    public static final double[] RATES = {1e6, 10e6, 1e9};
    public static final String[] RATE_COLUMNS = {"vt_round_s_1mbps", "vt_round_s_10mbps", "vt_round_s_1gbps"};

    private final List<Map<String, Object>> rows = new ArrayList<>();

    private static Map<String, String> columns(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** A new empty row (every column present, null = not applicable), added to the table. */
    Map<String, Object> newRow() {
        Map<String, Object> r = new LinkedHashMap<>();
        COLUMNS.keySet().forEach(c -> r.put(c, null));
        rows.add(r);
        return r;
    }

    static void put(Map<String, Object> row, String column, Object value) {
        if (!row.containsKey(column)) {
            throw new IllegalArgumentException("no column " + column);
        }
        if (value instanceof Double v && !Double.isFinite(v)) {
            value = null;
        }
        row.put(column, value);
    }

    public List<Map<String, Object>> rows() {
        return rows;
    }

    /** Seconds of one round at this link rate: compute + up and down bytes over the link + one latency. */
    static double virtualRound(double computeS, double upBytes, double downBytes, double bitsPerSecond, double latencyS) {
        return computeS + (upBytes + downBytes) * 8.0 / bitsPerSecond + latencyS;
    }

    static String format(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            double a = Math.abs(d);
            if (a == 0) return "0";
            if (a >= 1000) return String.format(Locale.ROOT, "%.0f", d);
            if (a >= 100) return String.format(Locale.ROOT, "%.1f", d);
            if (a >= 1) return String.format(Locale.ROOT, "%.2f", d);
            if (a >= 0.01) return String.format(Locale.ROOT, "%.3f", d);
            return String.format(Locale.ROOT, "%.2e", d);
        }
        return v.toString();
    }
}
