package onebyte.coordinator.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.metrics.RunSummary;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Renders a run directory's metrics into PNG plots (XChart) and an HTML page with the plots and
 * the summary table. Works from metrics.csv alone, so it also reports on a killed run.
 */
public final class RunReport {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 540;

    /** The PNG files written, in page order. */
    public static final List<String> PLOTS = List.of(
            "accuracy_vs_round.png", "accuracy_vs_bytes.png", "accuracy_vs_virtual_time.png",
            "members_over_time.png", "train_loss_vs_round.png");

    private RunReport() {}

    public static final String HTML = "report.html";

    /** Writes summary.json, the plots and report.html into {@code runDir}; returns the summary. */
    public static RunSummary render(Path runDir, Double targetAccuracy) {
        Path csv = runDir.resolve(MetricsFiles.CSV);
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("no " + MetricsFiles.CSV + " in " + runDir + ": not a run directory");
        }
        List<MetricsRow> rows = MetricsFiles.readCsv(csv);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(csv + " holds no rounds yet");
        }
        Path scenario = runDir.resolve(RunDirectory.SCENARIO);
        Config recorded = Files.isRegularFile(scenario) ? ConfigFactory.parseFile(scenario.toFile()) : ConfigFactory.empty();
        RunSummary summary = RunSummary.of(rows.get(0).runId(), rows, targetAccuracy, budget(recorded), clock(recorded),
                RunDirectory.interrupted(runDir));
        Path data = runDir.resolve(RunDirectory.DATA);
        if (Files.isRegularFile(data)) {
            try {
                summary = summary.withData(Files.readString(data, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + data, e);
            }
        }
        summary.write(runDir.resolve("summary.json"));
        Map<String, List<MetricsRow>> byAlg = byAlgorithm(rows);
        try {
            save(lineChart("Eval accuracy vs round", "round", "eval accuracy", byAlg, r -> r.round(), MetricsRow::evalAccuracy, false),
                    runDir.resolve(PLOTS.get(0)));
            save(lineChart("Eval accuracy vs cumulative bytes on the wire", "bytes (log scale)", "eval accuracy", byAlg,
                    r -> Math.max(1, r.bytesCum()), MetricsRow::evalAccuracy, true), runDir.resolve(PLOTS.get(1)));
            save(lineChart("Eval accuracy vs virtual time", "virtual time (s)", "eval accuracy", byAlg,
                    MetricsRow::virtualTimeS, MetricsRow::evalAccuracy, false), runDir.resolve(PLOTS.get(2)));
            save(membersChart(byAlg), runDir.resolve(PLOTS.get(3)));
            save(lineChart("Train loss vs round", "round", "train loss (mean over contributors)", byAlg,
                    r -> r.round(), MetricsRow::trainLoss, false), runDir.resolve(PLOTS.get(4)));
            Files.writeString(runDir.resolve(HTML), html(summary), StandardCharsets.UTF_8);
            return summary;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report in " + runDir, e);
        }
    }

    /** The budget recorded in a run directory's scenario.conf, or null. */
    private static RunBudget budget(Config c) {
        if (!c.hasPath("budget.rounds")) {
            return null;
        }
        return new RunBudget(c.getLong("budget.rounds"), c.hasPath("budget.virtual-seconds") ? c.getDouble("budget.virtual-seconds") : 0,
                c.hasPath("budget.bytes") ? c.getLong("budget.bytes") : 0);
    }

    /** The clock costs recorded in a run directory's scenario.conf, or null (run directories from before the clock section). */
    private static RunSummary.Clock clock(Config c) {
        if (!c.hasPath("clock.costs")) {
            return null;
        }
        return new RunSummary.Clock(c.getString("clock.costs"), c.getDouble("clock.forward-us"), c.getDouble("clock.gradient-us"),
                c.getDouble("clock.element-ns"));
    }

    private static Map<String, List<MetricsRow>> byAlgorithm(List<MetricsRow> rows) {
        Map<String, List<MetricsRow>> m = new LinkedHashMap<>();
        for (MetricsRow r : rows) {
            m.computeIfAbsent(r.algorithm(), k -> new ArrayList<>()).add(r);
        }
        return m;
    }

    private static XYChart lineChart(String title, String x, String y, Map<String, List<MetricsRow>> byAlg,
            ToDoubleFunction<MetricsRow> fx, ToDoubleFunction<MetricsRow> fy, boolean logX) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setMarkerSize(4);
        for (var e : byAlg.entrySet()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (MetricsRow r : e.getValue()) {
                double vy = fy.applyAsDouble(r);
                if (!Double.isNaN(vy)) {
                    xs.add(fx.applyAsDouble(r));
                    ys.add(vy);
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(e.getKey(), xs, ys);
            }
        }
        return chart;
    }

    /** Members per round over virtual time, with joins, leaves and crashes marked. */
    private static XYChart membersChart(Map<String, List<MetricsRow>> byAlg) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Members over virtual time (churn marked)")
                .xAxisTitle("virtual time (s)").yAxisTitle("members").build();
        chart.getStyler().setMarkerSize(8);
        for (var e : byAlg.entrySet()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (MetricsRow r : e.getValue()) {
                xs.add(r.virtualTimeS());
                ys.add((double) r.members());
            }
            XYSeries s = chart.addSeries(e.getKey() + " members", xs, ys);
            s.setMarker(SeriesMarkers.NONE);
            addEvents(chart, e.getKey() + " join", e.getValue(), MetricsRow::joined, SeriesMarkers.TRIANGLE_UP);
            addEvents(chart, e.getKey() + " leave", e.getValue(), MetricsRow::left, SeriesMarkers.TRIANGLE_DOWN);
            addEvents(chart, e.getKey() + " crash", e.getValue(), MetricsRow::crashed, SeriesMarkers.CROSS);
        }
        return chart;
    }

    private static void addEvents(XYChart chart, String name, List<MetricsRow> rows,
            ToDoubleFunction<MetricsRow> count, org.knowm.xchart.style.markers.Marker marker) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (MetricsRow r : rows) {
            if (count.applyAsDouble(r) > 0) {
                xs.add(r.virtualTimeS());
                ys.add((double) r.members());
            }
        }
        if (!xs.isEmpty()) {
            XYSeries s = chart.addSeries(name, xs, ys);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(marker);
        }
    }

    private static void save(XYChart chart, Path png) throws IOException {
        if (chart.getSeriesMap().isEmpty()) {
            // XChart cannot draw an empty chart; say so in the picture's place instead of failing.
            chart.addSeries("no data yet", new double[] {0}, new double[] {0});
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String html(RunSummary s) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>onebyte run ")
                .append(esc(s.runId())).append("</title><style>body{font-family:sans-serif;margin:2em}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:right}"
                        + "th{background:#eee}img{max-width:100%;margin:1em 0}</style></head><body>");
        sb.append("<h1>onebyte run ").append(esc(s.runId())).append("</h1>");
        sb.append("<p>Target accuracy for the “to reach” columns: ")
                .append(s.targetAccuracy() == null ? "none reached" : String.format(java.util.Locale.ROOT, "%.2f%%", 100 * s.targetAccuracy()))
                .append("</p><table><tr><th>algorithm</th><th>rounds</th><th>best eval acc</th><th>final eval acc</th>"
                        + "<th>bytes up</th><th>bytes down</th><th>bytes total</th><th>bytes to target</th>"
                        + "<th>virtual s to target</th><th>forward passes to target</th><th>joins/leaves/crashes</th>"
                        + "<th>replicas agreed</th><th>stopped by</th></tr>");
        for (RunSummary.AlgorithmSummary a : s.algorithms()) {
            sb.append("<tr><td>").append(esc(a.algorithm())).append("</td><td>").append(a.rounds())
                    .append("</td><td>").append(fmt(a.bestEvalAccuracy())).append("</td><td>").append(fmt(a.finalEvalAccuracy()))
                    .append("</td><td>").append(RunSummary.bytes(a.bytesUp())).append("</td><td>").append(RunSummary.bytes(a.bytesDown()))
                    .append("</td><td>").append(RunSummary.bytes(a.bytesTotal())).append("</td><td>")
                    .append(a.bytesToTarget() == null ? "not reached" : RunSummary.bytes(a.bytesToTarget()))
                    .append("</td><td>").append(a.virtualTimeToTarget() == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f", a.virtualTimeToTarget()))
                    .append("</td><td>").append(a.forwardPassesToTarget() == null ? "-" : a.forwardPassesToTarget())
                    .append("</td><td>").append(a.joins()).append('/').append(a.leaves()).append('/').append(a.crashes())
                    .append("</td><td>").append(a.replicasAlwaysAgreed() == null ? "n/a" : a.replicasAlwaysAgreed())
                    .append("</td><td>").append(a.stoppedBy() == null ? "-" : esc(a.stoppedBy()))
                    .append("</td></tr>");
        }
        sb.append("</table>");
        if (s.clock() != null) {
            sb.append(String.format(java.util.Locale.ROOT, "<p>Virtual clock (%s costs): %s µs per forward pass, %s µs per gradient "
                    + "pass, %s ns per generated direction element.</p>", esc(s.clock().costs()), s.clock().forwardUs(),
                    s.clock().gradientUs(), s.clock().elementNs()));
        }
        for (String p : PLOTS) {
            sb.append("<div><img src=\"").append(p).append("\" alt=\"").append(p).append("\"></div>");
        }
        sb.append("<p>Data: <a href=\"metrics.csv\">metrics.csv</a>, <a href=\"metrics.jsonl\">metrics.jsonl</a>, "
                + "<a href=\"summary.json\">summary.json</a></p></body></html>\n");
        return sb.toString();
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f%%", 100 * v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
