package onebyte.core.spsa;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The coordinator's commit of round r: every contribution it accepted, sorted strictly by
 * (nodeId, sample) (signed int order), so all replicas sum in the same order. n_r = {@link #n()}.
 * The constructor validates order, uniqueness and that every code has the same width; the list
 * is copied and unmodifiable. An empty commit (nobody reported before the deadline) is allowed.
 */
public record RoundCommit(long round, List<Contribution> contributions) {
    public RoundCommit {
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0, got " + round);
        }
        if (contributions == null) {
            throw new IllegalArgumentException("contributions must not be null");
        }
        contributions = List.copyOf(contributions); // also rejects null elements
        for (int k = 1; k < contributions.size(); k++) {
            Contribution prev = contributions.get(k - 1);
            Contribution cur = contributions.get(k);
            int cmp = Contribution.compareKeys(prev, cur);
            if (cmp == 0) {
                throw new IllegalArgumentException("round " + round + ": duplicate contribution (node "
                        + cur.nodeId() + ", sample " + cur.sample() + ")");
            }
            if (cmp > 0) {
                throw new IllegalArgumentException("round " + round + ": contributions not sorted by (node, sample): ("
                        + prev.nodeId() + "," + prev.sample() + ") before (" + cur.nodeId() + "," + cur.sample() + ")");
            }
            if (cur.code().length != prev.code().length) {
                throw new IllegalArgumentException("round " + round + ": mixed code widths " + prev.code().length
                        + " and " + cur.code().length);
            }
        }
    }

    /** A commit of these contributions in any order; sorts them (duplicates are still rejected). */
    public static RoundCommit sorted(long round, Collection<Contribution> contributions) {
        List<Contribution> list = new ArrayList<>(contributions);
        list.sort(Contribution::compareKeys);
        return new RoundCommit(round, list);
    }

    /** n_r, the number of contributions. */
    public int n() {
        return contributions.size();
    }

    /** Bytes per code, or 0 for an empty commit. */
    public int width() {
        return contributions.isEmpty() ? 0 : contributions.get(0).code().length;
    }
}
