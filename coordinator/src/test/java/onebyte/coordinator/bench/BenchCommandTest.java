package onebyte.coordinator.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onebyte.coordinator.cli.OnebyteCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onebyte bench --quick} end to end on tiny sizes: the output files parse and every row
 * holds every column measured for its algorithm, with values consistent with the protocol
 * (counts, bytes, replica agreement). No timing assertions: speed goals are reported by the
 * benchmark itself, not checked by tests.
 */
class BenchCommandTest {
    private static final Set<String> FED_ONLY = Set.of("gradient_ms", "gradients_per_round");
    private static final Set<String> SPSA_ONLY = Set.of("forward_ms", "forwards_per_round", "step_ms", "perturb_ms", "step_over_forward", "regen_ms",
            "regen_directions", "generate_once_ms", "fused_efficiency", "replicas_agree", "shared_regeneration",
            "regen_cpu_s_per_round");
    /** Ratios to the inference footprint are left empty below the footprint's resolution (4 MiB). */
    private static final Set<String> RATIOS = Set.of("replica_mem_over_inference", "rss_per_node_over_inference");

    @TempDir
    Path out;

    @Test
    void quickBenchWritesEveryMeasuredColumn() throws Exception {
        Path scenario = Files.exists(Path.of("../scenarios/quickstart.conf")) ? Path.of("../scenarios/quickstart.conf")
                : Path.of("scenarios/quickstart.conf");
        assertEquals(0, bench("--quick", "--out", out.toString(), "--scenario", scenario.toString()));

        List<String> csv = Files.readAllLines(out.resolve(BenchOutput.CSV));
        List<String> header = List.of(csv.get(0).split(",", -1));
        assertEquals(List.copyOf(BenchTable.COLUMNS.keySet()), header);
        // quick: N = 2, 3 × d ≈ 2K, 6K × {spsa, fedspeed}, plus the quickstart SPSA point
        assertEquals(1 + 2 * 2 * 2 + 1, csv.size(), String.join("\n", csv));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : csv.subList(1, csv.size())) {
            String[] cells = line.split(",", -1);
            assertEquals(header.size(), cells.length, line);
            Map<String, String> r = new java.util.LinkedHashMap<>();
            for (int i = 0; i < cells.length; i++) {
                r.put(header.get(i), cells[i]);
            }
            rows.add(r);
        }
        for (Map<String, String> r : rows) {
            boolean spsa = r.get("algorithm").equals("spsa");
            assertTrue(spsa || r.get("algorithm").equals("fedspeed"), r.toString());
            for (String c : header) {
                boolean applies = spsa ? !FED_ONLY.contains(c) : !SPSA_ONLY.contains(c);
                if (RATIOS.contains(c)) {
                    applies &= Double.parseDouble(r.get("inference_mb")) >= 4;
                }
                applies &= !c.equals("speedup_vs_unshared"); // only when a point also ran with --shared-regeneration off
                assertEquals(applies, !r.get(c).isEmpty(), "column " + c + " of " + r);
                if (applies && !Set.of("algorithm", "model", "replicas_agree", "shared_regeneration").contains(c)) {
                    Double.parseDouble(r.get(c)); // numeric
                }
            }
            int n = Integer.parseInt(r.get("nodes"));
            int d = Integer.parseInt(r.get("d"));
            double wall = Double.parseDouble(r.get("round_wall_s"));
            assertEquals(1 / wall, Double.parseDouble(r.get("rounds_per_s")), 1e-9 / wall);
            double up = Double.parseDouble(r.get("bytes_up_per_node"));
            double vt1 = Double.parseDouble(r.get("vt_round_s_1mbps"));
            double vt1000 = Double.parseDouble(r.get("vt_round_s_1gbps"));
            assertTrue(vt1 > vt1000, r.toString());
            if (spsa) {
                assertEquals("true", r.get("replicas_agree"), r.toString());
                assertEquals("on", r.get("shared_regeneration"), r.toString());
                assertEquals(n, Integer.parseInt(r.get("regen_directions")), r.toString());
                // S = 1: one contribution per node and round, 14-15 B payload + 34 B envelope
                assertTrue(up >= 48 && up <= 49, r.toString());
                // the MLP evaluates both perturbed points in one fused pass: no separate forward passes
                assertEquals(0.0, Double.parseDouble(r.get("forwards_per_round")), 1e-9, r.toString());
                // forward_ms is a reference pass measured outside the cluster: the step is only compared with it
                double step = Double.parseDouble(r.get("step_ms"));
                double forward = Double.parseDouble(r.get("forward_ms"));
                assertTrue(step > 0 && forward > 0, r.toString());
                assertEquals(step / forward, Double.parseDouble(r.get("step_over_forward")), 1e-9 * step / forward, r.toString());
                assertEquals(step - 2 * forward, Double.parseDouble(r.get("perturb_ms")), 1e-9 * (step + forward), r.toString());
            } else {
                // FedSpeed sends the whole model up: at least 4d bytes per node and round
                assertTrue(up >= 4.0 * d && up < 4.0 * d * 1.2, r.toString());
                // K = 10 local steps, two gradient passes each (FedSpeed's ascent step), every node participates
                assertEquals(20.0 * n, Double.parseDouble(r.get("gradients_per_round")), 1e-9, r.toString());
            }
        }

        JsonNode json = new ObjectMapper().readTree(out.resolve(BenchOutput.JSON).toFile());
        for (String key : List.of("processors", "cpu_model", "mem_total", "load_average_before", "load_average_after")) {
            assertNotNull(json.get("machine").get(key), key);
        }
        assertEquals(rows.size(), json.get("scaling").size());
        JsonNode first = json.get("scaling").get(0);
        for (String c : BenchTable.COLUMNS.keySet()) {
            assertTrue(first.has(c), c);
        }
        assertEquals(3, json.get("footprints").size()); // 2K, 6K, quickstart
        for (JsonNode f : json.get("footprints")) {
            for (String k : List.of("inference_mb", "spsa_replica_mb", "fedspeed_replica_mb", "generate_once_ms", "forward_ms")) {
                assertTrue(f.get(k).isNumber(), k + " in " + f);
            }
            assertEquals(f.get("inference_mb").asDouble() >= 4, f.get("spsa_over_inference").isNumber(), f.toString());
        }
        JsonNode ttt = json.get("time_to_target");
        assertEquals(2, ttt.size());
        for (JsonNode t : ttt) {
            for (Iterator<String> it = TimeToTarget.COLUMNS.keySet().iterator(); it.hasNext(); ) {
                String k = it.next();
                assertTrue(t.get(k).isNumber(), k + " in " + t); // the target is the lower best accuracy: both reach it
            }
            assertTrue(t.get("ttt_s_1mbps").asDouble() >= t.get("ttt_s_1gbps").asDouble(), t.toString());
        }
        assertEquals(4, json.get("goals").size());
        assertTrue(Files.size(out.resolve(BenchOutput.SCALING_PNG)) > 0);
        assertTrue(Files.size(out.resolve(BenchOutput.BYTES_PNG)) > 0);
    }

    /** {@code --model-of}: the scaling points on a scenario's own model and data, and nothing else without --params. */
    @Test
    void scalingPointsOnAScenariosModel() throws Exception {
        Path scenario = Files.exists(Path.of("../scenarios/quickstart.conf")) ? Path.of("../scenarios/quickstart.conf")
                : Path.of("scenarios/quickstart.conf");
        assertEquals(0, bench("--parts", "scaling", "--nodes", "3", "--algorithms", "spsa", "--warmup", "1", "--rounds", "1",
                "--model-of", scenario.toString(), "--out", out.toString()));
        JsonNode json = new ObjectMapper().readTree(out.resolve(BenchOutput.JSON).toFile());
        assertEquals(1, json.get("scaling").size(), json.get("scaling").toString());
        JsonNode row = json.get("scaling").get(0);
        assertEquals("quickstart", row.get("model").asText());
        assertEquals(3, row.get("nodes").asInt());
        assertEquals(804, row.get("d").asInt()); // the quickstart scenario's MLP, not a --params size
        assertEquals("true", row.get("replicas_agree").asText());
        assertEquals(1, json.get("footprints").size());
    }

    @Test
    void aMissingModelOfScenarioIsOneLineAndExit2() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        int code;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = OnebyteCommand.commandLine().execute("bench", "--parts", "scaling", "--model-of",
                    out.resolve("nope.conf").toString(), "--out", out.toString());
        } finally {
            System.setErr(saved);
        }
        String text = err.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(2, code);
        assertTrue(text.contains("nope.conf") && text.lines().count() == 1, text);
        assertTrue(!Files.exists(out.resolve(BenchOutput.CSV)), "nothing measured before the bad file was found");
    }

    /**
     * Runs {@code onebyte bench args}; its footprint children need not wait 5.5 s for a quiet baseline (no test reads a memory
     * value), and its points need not run 3 s of warm-up and 2 s of measured rounds (no test reads a time's value).
     */
    private static int bench(String... args) {
        System.setProperty("onebyte.memory.quiet-ms", "300");
        System.setProperty("onebyte.bench.warmup-s", "0");
        System.setProperty("onebyte.bench.measured-s", "0");
        try {
            String[] all = new String[args.length + 1];
            all[0] = "bench";
            System.arraycopy(args, 0, all, 1, args.length);
            return OnebyteCommand.commandLine().execute(all);
        } finally {
            System.clearProperty("onebyte.memory.quiet-ms");
            System.clearProperty("onebyte.bench.warmup-s");
            System.clearProperty("onebyte.bench.measured-s");
        }
    }
}
