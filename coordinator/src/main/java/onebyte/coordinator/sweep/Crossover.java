package onebyte.coordinator.sweep;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Where, along d, SPSA starts to need fewer bytes to reach the target than the federated
 * algorithm: the smallest measured d from which on SPSA needs fewer bytes at every larger
 * measured d (a point where only SPSA reached the target counts for SPSA, one where SPSA did not
 * reach it against it). When both reached the target at the two points around the crossing, the
 * crossing is interpolated on the log-log line of their byte ratio; otherwise it lies between
 * the two measured d.
 *
 * @param from  the last measured d where SPSA still needed more bytes (0: none)
 * @param to    the first measured d from which on SPSA needs fewer (0: SPSA never needed fewer)
 * @param at    the interpolated crossing (NaN when it cannot be interpolated)
 */
public record Crossover(String spsa, String fed, long from, long to, double at) {
    public static Crossover of(List<SweepPoint> points, String spsa, String fed) {
        List<SweepPoint> byD = points.stream().sorted(Comparator.comparingLong(SweepPoint::d)).toList();
        int first = byD.size();
        for (int i = byD.size() - 1; i >= 0 && spsaFewer(byD.get(i), spsa, fed); i--) first = i;
        if (first == byD.size()) return new Crossover(spsa, fed, byD.isEmpty() ? 0 : byD.get(byD.size() - 1).d(), 0, Double.NaN);
        if (first == 0) return new Crossover(spsa, fed, 0, byD.get(0).d(), Double.NaN);
        SweepPoint a = byD.get(first - 1);
        SweepPoint b = byD.get(first);
        double at = Double.NaN;
        if (reachedBoth(a, spsa, fed) && reachedBoth(b, spsa, fed)) {
            double ra = Math.log(a.bytesToTarget(spsa) / (double) a.bytesToTarget(fed));
            double rb = Math.log(b.bytesToTarget(spsa) / (double) b.bytesToTarget(fed));
            double la = Math.log(a.d());
            double lb = Math.log(b.d());
            at = Math.exp(la + (0 - ra) / (rb - ra) * (lb - la));
        }
        return new Crossover(spsa, fed, a.d(), b.d(), at);
    }

    private static boolean spsaFewer(SweepPoint p, String spsa, String fed) {
        Long s = p.bytesToTarget(spsa);
        Long f = p.bytesToTarget(fed);
        return s != null && (f == null || s < f);
    }

    private static boolean reachedBoth(SweepPoint p, String spsa, String fed) {
        return p.bytesToTarget(spsa) != null && p.bytesToTarget(fed) != null;
    }

    /** The answer in one sentence. */
    public String sentence() {
        if (to == 0) {
            return String.format(Locale.ROOT, "%s needed more bytes than %s to reach the target at every d measured (up to d = %,d): no crossover in this range.",
                    spsa, fed, from);
        }
        if (from == 0) {
            return String.format(Locale.ROOT, "%s needed fewer bytes than %s to reach the target at every d measured (from d = %,d): the crossover is below it.",
                    spsa, fed, to);
        }
        String where = Double.isNaN(at) ? String.format(Locale.ROOT, "between d = %,d and d = %,d", from, to)
                : String.format(Locale.ROOT, "at d ≈ %,d (log-log interpolation between the measured d = %,d and %,d)", Math.round(at), from, to);
        return String.format(Locale.ROOT, "%s starts to need fewer bytes than %s to reach the target %s.", spsa, fed, where);
    }
}
