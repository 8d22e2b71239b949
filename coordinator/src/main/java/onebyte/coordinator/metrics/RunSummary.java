package onebyte.coordinator.metrics;

import onebyte.core.algorithm.Algorithm;
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
import onebyte.coordinator.clock.RunBudget;

/**
 * What a person wants from a run at a glance, per algorithm, computed from the metrics rows
 * and the run's budget and clock costs (from the run directory's scenario.conf), so a report can
 * be rebuilt from the files of a killed run.
 *
 * <p>"To reach the target" figures are taken at the first evaluated round whose eval accuracy is
 * at least the target; they are null when the algorithm never reached it.
 *
 * @param clock the unit costs every algorithm's virtual time used; null when not known
 * @param budget the run's budget; null when not known
 * @param data the run's data from the user's files, as {@code data.txt} states it (splits and the
 *     label → class mapping, e.g. "classes ham → 0, spam → 1"); null for synthetic data
 */
public record RunSummary(String runId, Double targetAccuracy, Clock clock, RunBudget budget, List<AlgorithmSummary> algorithms,
                         SpsaVsFed spsaVsFed, String data) {

    /** This summary with {@code data}: what the run read from the user's files (files, splits, the label → class mapping). */
    public RunSummary withData(String data) {
        return new RunSummary(runId, targetAccuracy, clock, budget, algorithms, spsaVsFed, data);
    }

    /**
     * The virtual clock's unit costs of the run: how they were obtained ("fixed" from the scenario or
     * "measured" at the start of the run) and their values in the scenario's units.
     */
    public record Clock(String costs, double forwardUs, double gradientUs, double elementNs) {}

    /** stoppedBy of an algorithm whose last row reached no budget: the run was cut short (killed). */
    public static final String INCOMPLETE = "incomplete";

    /** stoppedBy of an algorithm stopped by SIGINT or SIGTERM after its last row (a clean stop, see RunInterrupt). */
    public static final String INTERRUPTED = "interrupted";

    /**
     * The question of the comparison: does SPSA reach its own plateau with at least 10,000× fewer
     * bytes than FedSpeed needs to reach that same accuracy? The plateau is SPSA's best eval
     * accuracy; bytes are cumulative wire bytes (up + down) at the first evaluated round at or above
     * it. {@code fedBytes} and {@code ratio} are null when FedSpeed never reached that accuracy
     * (then the answer is "not measurable in this run", not yes).
     */
    public record SpsaVsFed(String spsaAlgorithm, String fedAlgorithm, double plateauAccuracy, long spsaRound, long spsaBytes,
                            Long fedRound, Long fedBytes, Double ratio, boolean atLeast10000x) {
        public String sentence() {
            String head = String.format(Locale.ROOT, "%s plateau: %.2f%% eval accuracy, first reached at round %d after %s.",
                    spsaAlgorithm, 100 * plateauAccuracy, spsaRound, bytes(spsaBytes));
            if (fedBytes == null) {
                return head + " " + fedAlgorithm + " never reached that accuracy in this run, so the byte ratio cannot be measured here.";
            }
            String factor = ratio >= 1
                    ? String.format(Locale.ROOT, "%s used %.3gx fewer bytes", spsaAlgorithm, ratio)
                    : String.format(Locale.ROOT, "%s used %.3gx MORE bytes", spsaAlgorithm, 1 / ratio);
            return head + String.format(Locale.ROOT, " %s reached it at round %d after %s: %s; the 10,000x mark is %s.",
                    fedAlgorithm, fedRound, bytes(fedBytes), factor, atLeast10000x ? "met" : "NOT met");
        }
    }

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
            Long bytesUpToTarget,
            Long bytesDownToTarget,
            Double virtualTimeToTarget,
            Long forwardPassesToTarget,
            int joins,
            int leaves,
            int crashes,
            Boolean replicasAlwaysAgreed,
            String stoppedBy) {}

    /**
     * Summarises rows of one run. {@code targetAccuracy} may be null: then the target is the
     * lowest of the algorithms' best accuracies, so every algorithm has a "to reach" figure for
     * a level all of them reached.
     */
    public static RunSummary of(String runId, List<MetricsRow> rows, Double targetAccuracy) {
        return of(runId, rows, targetAccuracy, null, null);
    }

    /**
     * As {@link #of(String, List, Double)}, with what stopped each algorithm ({@code stoppedBy}: the
     * scenario key of the budget its last row reached, or {@link #INCOMPLETE}; null without a
     * budget) and the clock costs recorded.
     */
    public static RunSummary of(String runId, List<MetricsRow> rows, Double targetAccuracy, RunBudget budget, Clock clock) {
        return of(runId, rows, targetAccuracy, budget, clock, java.util.Set.of());
    }

    /**
     * As {@link #of(String, List, Double, RunBudget, Clock)}; the algorithms in {@code interrupted}
     * whose last row reached no budget were stopped by a signal: stoppedBy {@link #INTERRUPTED}.
     */
    public static RunSummary of(String runId, List<MetricsRow> rows, Double targetAccuracy, RunBudget budget, Clock clock,
                                java.util.Set<String> interrupted) {
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
            out.add(summarise(e.getKey(), e.getValue(), target, budget, interrupted.contains(e.getKey())));
        }
        return new RunSummary(runId, target, clock, budget, out, spsaVsFed(byAlgorithm), null);
    }

    /** SPSA's plateau against FedSpeed (or FedAvg when FedSpeed did not run); null without both. */
    private static SpsaVsFed spsaVsFed(Map<String, List<MetricsRow>> byAlgorithm) {
        List<MetricsRow> spsa = byAlgorithm.get(Algorithm.SPSA.id());
        String fedName = (byAlgorithm.containsKey(Algorithm.FEDSPEED.id()) ? Algorithm.FEDSPEED : Algorithm.FEDAVG).id();
        List<MetricsRow> fed = byAlgorithm.get(fedName);
        if (spsa == null || fed == null) {
            return null;
        }
        MetricsRow best = null;
        for (MetricsRow r : spsa) {
            if (!Double.isNaN(r.evalAccuracy()) && (best == null || r.evalAccuracy() > best.evalAccuracy())) {
                best = r;
            }
        }
        if (best == null) {
            return null;
        }
        MetricsRow fedReached = firstAtLeast(fed, best.evalAccuracy());
        Double ratio = fedReached == null ? null : fedReached.bytesCum() / (double) Math.max(1, best.bytesCum());
        return new SpsaVsFed(Algorithm.SPSA.id(), fedName, best.evalAccuracy(), best.round(), best.bytesCum(),
                fedReached == null ? null : fedReached.round(), fedReached == null ? null : fedReached.bytesCum(), ratio,
                ratio != null && ratio >= 10_000);
    }

    private static MetricsRow firstAtLeast(List<MetricsRow> rows, double accuracy) {
        for (MetricsRow r : rows) {
            if (!Double.isNaN(r.evalAccuracy()) && r.evalAccuracy() >= accuracy) {
                return r;
            }
        }
        return null;
    }

    private static AlgorithmSummary summarise(String algorithm, List<MetricsRow> rows, Double target, RunBudget budget,
                                              boolean interrupted) {
        MetricsRow last = rows.get(rows.size() - 1);
        String stoppedBy = null;
        if (budget != null) {
            RunBudget.Stop stop = budget.reached(last.round() + 1, last.virtualTimeS(), last.bytesCum());
            stoppedBy = stop != null ? stop.key() : interrupted ? INTERRUPTED : INCOMPLETE;
        } else if (interrupted) {
            stoppedBy = INTERRUPTED;
        }
        Double best = null;
        Long bestRound = null;
        Double finalAcc = null;
        MetricsRow reached = null;
        long up = 0;
        long down = 0;
        long upToTarget = 0;
        long downToTarget = 0;
        int joins = 0;
        int leaves = 0;
        int crashes = 0;
        Boolean agreed = null;
        for (MetricsRow r : rows) {
            up += r.bytesUp();
            down += r.bytesDown();
            if (reached == null) {
                upToTarget = up;
                downToTarget = down;
            }
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
                reached == null ? null : upToTarget, reached == null ? null : downToTarget,
                reached == null ? null : reached.virtualTimeS(), reached == null ? null : reached.forwardPassesCum(),
                joins, leaves, crashes, agreed, stoppedBy);
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
        sb.append(String.format(Locale.ROOT, "%-10s %7s %9s %9s %12s %14s %12s %13s %7s %s%n",
                "algorithm", "rounds", "best_acc", "final_acc", "bytes_total",
                target(), "vtime_to_tgt", "fwd_to_tgt", "j/l/c", "stopped_by"));
        for (AlgorithmSummary a : algorithms) {
            sb.append(String.format(Locale.ROOT, "%-10s %7d %9s %9s %12s %14s %12s %13s %7s %s%n",
                    a.algorithm(), a.rounds(), pct(a.bestEvalAccuracy()), pct(a.finalEvalAccuracy()),
                    bytes(a.bytesTotal()), a.bytesToTarget() == null ? "not reached" : bytes(a.bytesToTarget()),
                    a.virtualTimeToTarget() == null ? "-" : String.format(Locale.ROOT, "%.1fs", a.virtualTimeToTarget()),
                    a.forwardPassesToTarget() == null ? "-" : Long.toString(a.forwardPassesToTarget()),
                    a.joins() + "/" + a.leaves() + "/" + a.crashes(), stopped(a)));
        }
        return sb.toString();
    }

    /**
     * The comparison table of {@code onebyte compare}: per algorithm best and final eval accuracy,
     * bytes up, down and total to reach the target, virtual time, forward passes and round to
     * reach it, the membership events seen (joins/leaves/crashes) and wall time; then the
     * SPSA-vs-FedSpeed answer.
     */
    public String comparisonTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("target accuracy: ").append(targetAccuracy == null ? "-" : pct(targetAccuracy)).append(
                targetAccuracy == null ? "" : " (columns *_to_tgt: at the first evaluated round at or above it)").append('\n');
        String f = "%-9s %8s %9s %11s %11s %11s %11s %10s %11s %7s %8s %8s %s%n";
        sb.append(String.format(Locale.ROOT, f, "algorithm", "best_acc", "final_acc", "up_to_tgt", "down_to_tgt", "bytes_to_tgt",
                "bytes_total", "vtime_tgt", "fwd_to_tgt", "rnd_tgt", "j/l/c", "wall_s", "stopped_by"));
        for (AlgorithmSummary a : algorithms) {
            sb.append(String.format(Locale.ROOT, f, a.algorithm(), pct(a.bestEvalAccuracy()), pct(a.finalEvalAccuracy()),
                    a.bytesUpToTarget() == null ? "-" : bytes(a.bytesUpToTarget()),
                    a.bytesDownToTarget() == null ? "-" : bytes(a.bytesDownToTarget()),
                    a.bytesToTarget() == null ? "not reached" : bytes(a.bytesToTarget()), bytes(a.bytesTotal()),
                    a.virtualTimeToTarget() == null ? "-" : String.format(Locale.ROOT, "%.2fs", a.virtualTimeToTarget()),
                    a.forwardPassesToTarget() == null ? "-" : Long.toString(a.forwardPassesToTarget()),
                    a.roundToTarget() == null ? "-" : Long.toString(a.roundToTarget()),
                    a.joins() + "/" + a.leaves() + "/" + a.crashes(), String.format(Locale.ROOT, "%.1f", a.wallTimeS()), stopped(a)));
        }
        if (spsaVsFed != null) {
            sb.append(spsaVsFed.sentence()).append('\n');
        }
        return sb.toString();
    }

    /** "virtual-seconds" for budget.virtual-seconds; "-" when unknown. */
    private static String stopped(AlgorithmSummary a) {
        return a.stoppedBy() == null ? "-" : a.stoppedBy().replace("budget.", "");
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
