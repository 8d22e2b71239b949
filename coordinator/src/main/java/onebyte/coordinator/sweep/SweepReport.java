package onebyte.coordinator.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import onebyte.coordinator.metrics.RunSummary;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The outputs of a sweep: one table (console and {@code sweep.txt}; {@code sweep.csv} one row per
 * point and algorithm), the log-log plot of bytes-to-target against d per algorithm
 * ({@code sweep.png}; a point whose target was not reached within its budget is drawn hollow at the
 * bytes it had spent, a lower bound), and the {@link Crossover} sentence.
 */
public record SweepReport(String name, double targetAccuracy, List<SweepPoint> points) {
    public static final String CSV = "sweep.csv";
    public static final String TABLE = "sweep.txt";
    public static final String PLOT = "sweep.png";

    /** Every algorithm that ran at some point, in the order they first appear. */
    public List<String> algorithms() {
        Set<String> out = new LinkedHashSet<>();
        for (SweepPoint p : points) p.summary().algorithms().forEach(a -> out.add(a.algorithm()));
        return List.copyOf(out);
    }

    /** SPSA against FedSpeed (FedAvg when FedSpeed did not run); null without both. */
    public Crossover crossover() {
        List<String> algs = algorithms();
        String fed = algs.contains("fedspeed") ? "fedspeed" : algs.contains("fedavg") ? "fedavg" : null;
        return algs.contains("spsa") && fed != null ? Crossover.of(points, "spsa", fed) : null;
    }

    public String table() {
        List<String> algs = algorithms();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "sweep %s: bytes (up + down) to reach %.2f%% target accuracy; "
                + "'not reached' = not within the point's budget (bytes spent by then, and the budget that stopped it)%n",
                name, 100 * targetAccuracy));
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-5s %12s", "point", "d"));
        for (String a : algs) head.append(String.format(Locale.ROOT, "  %-34s", a));
        b.append(head.toString().stripTrailing()).append(" | overrides\n");
        for (SweepPoint p : sorted()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-5d %,12d", p.index(), p.d()));
            for (String a : algs) row.append(String.format(Locale.ROOT, "  %-34s", cell(p.algorithm(a))));
            b.append(row.toString().stripTrailing()).append(" | ").append(String.join(" ", p.overrides())).append('\n');
        }
        Crossover c = crossover();
        if (c != null) b.append(c.sentence()).append('\n');
        return b.toString();
    }

    private static String cell(RunSummary.AlgorithmSummary a) {
        if (a == null) return "-";
        if (a.bytesToTarget() != null) return RunSummary.bytes(a.bytesToTarget()) + " (round " + a.roundToTarget() + ")";
        return "not reached: " + RunSummary.bytes(a.bytesTotal()) + ", " + (a.stoppedBy() == null ? "?" : a.stoppedBy());
    }

    private List<SweepPoint> sorted() {
        return points.stream().sorted(Comparator.comparingLong(SweepPoint::d).thenComparingInt(SweepPoint::index)).toList();
    }

    /** Writes sweep.txt, sweep.csv and sweep.png into {@code dir}. */
    public void write(Path dir) {
        try {
            Files.writeString(dir.resolve(TABLE), table());
            StringBuilder csv = new StringBuilder("point,d,algorithm,target_accuracy,reached,round_to_target,bytes_to_target,"
                    + "best_accuracy,rounds,bytes_total,stopped_by,overrides,run_dir\n");
            for (SweepPoint p : sorted()) {
                for (RunSummary.AlgorithmSummary a : p.summary().algorithms()) {
                    csv.append(String.join(",", Integer.toString(p.index()), Long.toString(p.d()), a.algorithm(),
                            Double.toString(targetAccuracy), Boolean.toString(a.bytesToTarget() != null), str(a.roundToTarget()),
                            str(a.bytesToTarget()), str(a.bestEvalAccuracy()), Long.toString(a.rounds()), Long.toString(a.bytesTotal()),
                            a.stoppedBy() == null ? "" : a.stoppedBy(), quote(String.join(" ", p.overrides())), quote(p.runDir().toString())))
                            .append('\n');
                }
            }
            Files.writeString(dir.resolve(CSV), csv);
            BitmapEncoder.saveBitmap(chart(), dir.resolve(PLOT).toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sweep's outputs into " + dir, e);
        }
    }

    private XYChart chart() {
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title(String.format(Locale.ROOT, "%s: bytes to %.1f%% accuracy against d", name, 100 * targetAccuracy))
                .xAxisTitle("d (model parameters)").yAxisTitle("bytes on the wire to target (up + down)").build();
        chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true).setMarkerSize(9);
        for (String a : algorithms()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            List<Double> xn = new ArrayList<>();
            List<Double> yn = new ArrayList<>();
            for (SweepPoint p : sorted()) {
                RunSummary.AlgorithmSummary s = p.algorithm(a);
                if (s == null) continue;
                (s.bytesToTarget() != null ? xs : xn).add((double) p.d());
                (s.bytesToTarget() != null ? ys : yn).add((double) Math.max(1, s.bytesToTarget() != null ? s.bytesToTarget() : s.bytesTotal()));
            }
            if (!xs.isEmpty()) chart.addSeries(a, xs, ys).setMarker(SeriesMarkers.CIRCLE);
            if (!xn.isEmpty()) {
                XYSeries n = chart.addSeries(a + ": not reached (bytes spent)", xn, yn);
                n.setMarker(SeriesMarkers.CROSS);
                n.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            }
        }
        return chart;
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
