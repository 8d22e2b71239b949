package onebyte.coordinator.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a person wants from a run at a glance, per algorithm, computed from the metrics rows
 * alone (so a report can be rebuilt from metrics.csv of a killed run).
 *
 * <p>"To reach the target" figures are taken at the first evaluated round whose eval accuracy is
 * at least the target; they are null when the algorithm never reached it.
 */
public record RunSummary(String runId, Double targetAccuracy, List<AlgorithmSummary> algorithms) {

    public record AlgorithmSummary(
            String algorithm,
            long rounds,
            Double bestEvalAccuracy,
            Long bestAccuracyRound,
            Double finalEvalAccuracy,
            Double finalTrainLoss,
            long bytesUp,
            long bytesDown,
            long bytesTotal,
            double virtualTimeS,
            double wallTimeS,
            long forwardPasses,
            Long roundToTarget,
            Long bytesToTarget,
            Double virtualTimeToTarget,
            Long forwardPassesToTarget,
            int joins,
            int leaves,
            int crashes,
            Boolean replicasAlwaysAgreed) {}

    /**
     * Summarises rows of one run. {@code targetAccuracy} may be null: then the target is the
     * lowest of the algorithms' best accuracies, so every algorithm has a "to reach" figure for
     * a level all of them reached.
     */
    public static RunSummary of(String runId, List<MetricsRow> rows, Double targetAccuracy) {
        Map<String, List<MetricsRow>> byAlgorithm = new LinkedHashMap<>();
        for (MetricsRow r : rows) {
            byAlgorithm.computeIfAbsent(r.algorithm(), k -> new ArrayList<>()).add(r);
        }
        Double target = targetAccuracy;
        if (target == null) {
            double lowestBest = Double.POSITIVE_INFINITY;
            for (List<MetricsRow> list : byAlgorithm.values()) {
                double best = list.stream().mapToDouble(MetricsRow::evalAccuracy).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
                if (!Double.isNaN(best)) {
                    lowestBest = Math.min(lowestBest, best);
                }
            }
            target = Double.isInfinite(lowestBest) ? null : lowestBest;
        }
        List<AlgorithmSummary> out = new ArrayList<>();
        for (var e : byAlgorithm.entrySet()) {
            out.add(summarise(e.getKey(), e.getValue(), target));
        }
        return new RunSummary(runId, target, out);
    }

    private static AlgorithmSummary summarise(String algorithm, List<MetricsRow> rows, Double target) {
        MetricsRow last = rows.get(rows.size() - 1);
        Double best = null;
        Long bestRound = null;
        Double finalAcc = null;
        MetricsRow reached = null;
        long up = 0;
        long down = 0;
        int joins = 0;
        int leaves = 0;
        int crashes = 0;
        Boolean agreed = null;
        for (MetricsRow r : rows) {
            up += r.bytesUp();
            down += r.bytesDown();
            joins += r.joined();
            leaves += r.left();
            crashes += r.crashed();
            if (r.replicasAgree() != null) {
                agreed = (agreed == null || agreed) && r.replicasAgree();
            }
            if (!Double.isNaN(r.evalAccuracy())) {
                finalAcc = r.evalAccuracy();
                if (best == null || r.evalAccuracy() > best) {
                    best = r.evalAccuracy();
                    bestRound = r.round();
                }
                if (reached == null && target != null && r.evalAccuracy() >= target) {
                    reached = r;
                }
            }
        }
        return new AlgorithmSummary(algorithm, rows.size(), best, bestRound, finalAcc,
                Double.isNaN(last.trainLoss()) ? null : last.trainLoss(),
                up, down, last.bytesCum(), last.virtualTimeS(), last.wallTimeS(), last.forwardPassesCum(),
                reached == null ? null : reached.round(), reached == null ? null : reached.bytesCum(),
                reached == null ? null : reached.virtualTimeS(), reached == null ? null : reached.forwardPassesCum(),
                joins, leaves, crashes, agreed);
    }

    public void write(Path file) {
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** A fixed-width table for the console, one line per algorithm. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-10s %7s %9s %9s %12s %14s %12s %13s %5s%n",
                "algorithm", "rounds", "best_acc", "final_acc", "bytes_total",
                target(), "vtime_to_tgt", "fwd_to_tgt", "churn"));
        for (AlgorithmSummary a : algorithms) {
            sb.append(String.format(Locale.ROOT, "%-10s %7d %9s %9s %12s %14s %12s %13s %5s%n",
                    a.algorithm(), a.rounds(), pct(a.bestEvalAccuracy()), pct(a.finalEvalAccuracy()),
                    bytes(a.bytesTotal()), a.bytesToTarget() == null ? "not reached" : bytes(a.bytesToTarget()),
                    a.virtualTimeToTarget() == null ? "-" : String.format(Locale.ROOT, "%.1fs", a.virtualTimeToTarget()),
                    a.forwardPassesToTarget() == null ? "-" : Long.toString(a.forwardPassesToTarget()),
                    a.joins() + "/" + a.leaves() + "/" + a.crashes()));
        }
        return sb.toString();
    }

    private String target() {
        return targetAccuracy == null ? "bytes_to_tgt" : "bytes_to_" + pct(targetAccuracy);
    }

    private static String pct(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    /** Bytes in B, KB, MB, GB (powers of 1000). */
    public static String bytes(long b) {
        if (b < 1000) {
            return b + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = b;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
