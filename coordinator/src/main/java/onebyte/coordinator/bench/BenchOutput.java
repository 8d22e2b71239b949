package onebyte.coordinator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** Writes a bench result: bench.json (everything), bench.csv (the scaling table), two PNG plots, and the console table. */
public final class BenchOutput {
    public static final String JSON = "bench.json";
    public static final String CSV = "bench.csv";
    public static final String SCALING_PNG = "bench-scaling.png";
    public static final String BYTES_PNG = "bench-bytes.png";
    public static final String MARKDOWN = "bench.md";

    private static final String[] MD_SPSA = {"model", "nodes", "d", "shared_regeneration", "round_wall_s", "speedup_vs_unshared",
        "rounds_per_s", "forward_ms", "step_ms", "perturb_ms", "step_over_forward", "regen_ms", "regen_cpu_s_per_round",
        "regen_directions", "generate_once_ms", "fused_efficiency",
        "work_cpu_s_per_round", "other_cpu_s_per_round", "cpu_utilisation", "bytes_up_per_node", "bytes_down_per_node",
        "peak_rss_per_node_mb", "vt_round_s_1mbps", "vt_round_s_10mbps", "vt_round_s_1gbps"};
    private static final String[] MD_FED = {"model", "nodes", "d", "round_wall_s", "rounds_per_s", "gradient_ms",
        "gradients_per_round", "work_cpu_s_per_round", "other_cpu_s_per_round", "cpu_utilisation", "bytes_up_per_node",
        "bytes_down_per_node", "peak_rss_per_node_mb", "vt_round_s_1mbps", "vt_round_s_10mbps", "vt_round_s_1gbps"};

    private static final String[] CONSOLE = {"algorithm", "model", "nodes", "d", "shared_regeneration", "round_wall_s",
        "speedup_vs_unshared", "rounds_per_s", "forward_ms",
        "step_ms", "perturb_ms", "step_over_forward", "regen_ms", "fused_efficiency", "gradient_ms", "work_cpu_s_per_round",
        "other_cpu_s_per_round", "bytes_up_per_node", "bytes_down_per_node", "peak_rss_per_node_mb", "replica_mem_over_inference"};

    private BenchOutput() {}

    /** The machine: processors, memory, CPU model, JVM, load average, time. */
    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", Instant.now().toString());
        m.put("processors", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        m.put("mem_total", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576);
        m.put("load_average_before", loadAverage());
        return m;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
            return "not in " + file;
        } catch (IOException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    public static void write(Map<String, Object> doc, Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(JSON).toFile(), doc);
        List<Map<String, Object>> rows = scaling(doc);
        StringBuilder csv = new StringBuilder(String.join(",", BenchTable.COLUMNS.keySet())).append('\n');
        for (Map<String, Object> r : rows) {
            List<String> cells = new ArrayList<>();
            for (String c : BenchTable.COLUMNS.keySet()) {
                Object v = r.get(c);
                cells.add(v == null ? "" : v.toString());
            }
            csv.append(String.join(",", cells)).append('\n');
        }
        Files.writeString(dir.resolve(CSV), csv, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(MARKDOWN), markdown(doc), StandardCharsets.UTF_8);
        plot(rows, "round_wall_s", "Round wall time on the embedded cluster (2 cores)", "seconds per round (log)",
                dir.resolve(SCALING_PNG));
        plot(rows, "bytes_up_per_node", "Wire bytes up per node per round", "bytes (log)", dir.resolve(BYTES_PNG));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> scaling(Map<String, Object> doc) {
        return (List<Map<String, Object>>) doc.get("scaling");
    }

    /** One series per (algorithm, model): the column against N, both axes logarithmic. */
    private static void plot(List<Map<String, Object>> rows, String column, String title, String yTitle, Path png)
            throws IOException {
        Map<String, TreeMap<Integer, Double>> series = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            if (r.get(column) instanceof Number v && v.doubleValue() > 0) {
                series.computeIfAbsent(r.get("algorithm") + " " + r.get("model"), k -> new TreeMap<>())
                        .put((Integer) r.get("nodes"), v.doubleValue());
            }
        }
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle("nodes N (log)").yAxisTitle(yTitle)
                .build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(7);
        for (Map.Entry<String, TreeMap<Integer, Double>> e : series.entrySet()) {
            double[] xs = e.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] ys = e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
            XYSeries s = chart.addSeries(e.getKey(), xs, ys);
            if (e.getKey().startsWith("fedspeed")) {
                s.setLineStyle(new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
                        new float[] {6f, 4f}, 0f));
            }
        }
        if (!series.isEmpty()) {
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /** The console summary: the main scaling columns, footprints, time to target, goals. */
    @SuppressWarnings("unchecked")
    public static void print(Map<String, Object> doc, PrintStream out) {
        out.println("machine: " + doc.get("machine"));
        out.println();
        printRows(out, scaling(doc), List.of(CONSOLE));
        for (String s : (List<String>) doc.get("skipped")) {
            out.println("skipped: " + s);
        }
        out.println();
        List<Map<String, Object>> fp = (List<Map<String, Object>>) doc.get("footprints");
        if (!fp.isEmpty()) {
            printRows(out, fp, new ArrayList<>(fp.get(0).keySet()));
            out.println();
        }
        List<Map<String, Object>> ttt = (List<Map<String, Object>>) doc.get("time_to_target");
        if (!ttt.isEmpty()) {
            printRows(out, ttt, new ArrayList<>(ttt.get(0).keySet()));
            out.println();
        }
        for (Map<String, Object> g : (List<Map<String, Object>>) doc.get("goals")) {
            Object met = g.get("met");
            out.printf("%-7s %s: worst %s at %s (%s of %s points missed)%n",
                    met == null ? "N/A" : (Boolean) met ? "MET" : "MISSED", g.get("goal"), BenchTable.format(g.get("worst")),
                    g.get("where"), g.get("points_missed"), g.get("points_checked"));
        }
    }

    /** The result as Markdown tables (what BENCHMARKS.md quotes). */
    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> doc) {
        StringBuilder b = new StringBuilder();
        b.append("Machine: ").append(doc.get("machine")).append("\n\n");
        List<Map<String, Object>> rows = scaling(doc);
        for (String alg : List.of("spsa", "fedspeed")) {
            List<Map<String, Object>> sel = rows.stream().filter(r -> alg.equals(r.get("algorithm"))).toList();
            if (!sel.isEmpty()) {
                b.append("**").append(alg).append("**\n\n");
                mdTable(b, sel, List.of(alg.equals("spsa") ? MD_SPSA : MD_FED));
            }
        }
        for (String sk : (List<String>) doc.get("skipped")) {
            b.append("- skipped: ").append(sk).append('\n');
        }
        b.append('\n');
        for (String section : List.of("footprints", "time_to_target", "goals")) {
            List<Map<String, Object>> sel = (List<Map<String, Object>>) doc.get(section);
            if (!sel.isEmpty()) {
                b.append("**").append(section).append("**\n\n");
                mdTable(b, sel, new ArrayList<>(sel.get(0).keySet()));
            }
        }
        return b.toString();
    }

    private static void mdTable(StringBuilder b, List<Map<String, Object>> rows, List<String> cols) {
        b.append("| ").append(String.join(" | ", cols)).append(" |\n|");
        cols.forEach(c -> b.append(" --- |"));
        b.append('\n');
        for (Map<String, Object> r : rows) {
            b.append('|');
            for (String c : cols) {
                b.append(' ').append(BenchTable.format(r.get(c))).append(" |");
            }
            b.append('\n');
        }
        b.append('\n');
    }

    private static void printRows(PrintStream out, List<Map<String, Object>> rows, List<String> cols) {
        int[] w = new int[cols.size()];
        List<String[]> cells = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            String[] c = new String[cols.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = BenchTable.format(r.get(cols.get(i)));
            }
            cells.add(c);
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = cols.get(i).length();
            for (String[] c : cells) {
                w[i] = Math.max(w[i], c[i].length());
            }
        }
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            head.append(String.format("%" + w[i] + "s ", cols.get(i)));
        }
        out.println(head.toString().stripTrailing());
        for (String[] c : cells) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                line.append(String.format("%" + w[i] + "s ", c[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
