package onebyte.core.spsa;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * The coordinator's side of an SPSA round (SPEC §2): it opens round r for its members M_r, takes
 * each member's S codes once (checking round, sample index, code width and duplicates), knows
 * when a member is complete, and commits what it holds in (node, sample) order, so every replica
 * sums the same codes in the same order. Membership (who is admitted, alive, trusted by its hash)
 * is the caller's: {@link #commit} takes the members whose codes count.
 */
public final class SpsaServer {
    /** Why a code was not taken: a counted rejection kind and a detail for the log. */
    public record Rejection(String kind, String detail) {}

    private final int samples;
    private final int width;
    private final Map<Integer, byte[][]> codes = new TreeMap<>();
    private Set<Integer> members = Set.of();
    private long round; // round 0 is the first, not open yet
    private boolean open;

    public SpsaServer(int samplesPerNode, int codeWidth) {
        if (samplesPerNode < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samplesPerNode);
        if (codeWidth < 1) throw new IllegalArgumentException("code width must be >= 1, got " + codeWidth);
        this.samples = samplesPerNode;
        this.width = codeWidth;
    }

    /** Opens round r for these members; codes of an earlier round are dropped. */
    public void open(long r, Set<Integer> m) {
        round = r;
        members = Set.copyOf(m);
        codes.clear();
        open = true;
    }

    /**
     * Takes node's code for sample k of round r, or says why not. {@code awaited}: the caller still
     * waits for this node in this round (a member it has stopped waiting for, e.g. one it counts as
     * crashed, is refused unless it already sent codes of this round).
     */
    public Rejection offer(long r, int node, int k, byte[] code, boolean awaited) {
        if (k < 0 || k >= samples) return new Rejection("bad-sample", "sample " + k + " of " + samples);
        if (code.length != width) return new Rejection("bad-code-width", code.length + " bytes, the codec has " + width);
        if (!open || r != round) {
            return new Rejection(r < round || (!open && r == round) ? "late-round" : "unknown-round",
                    "round " + r + " while " + (open ? "round " + round + " is open" : "no round is open"));
        }
        if (!members.contains(node) || !awaited && !codes.containsKey(node)) {
            return new Rejection("not-member", "node " + node + " is not expected in round " + round);
        }
        byte[][] mine = codes.computeIfAbsent(node, n -> new byte[samples][]);
        if (mine[k] != null) return new Rejection("duplicate", "node " + node + " sample " + k + " twice in round " + round);
        mine[k] = code.clone();
        return null;
    }

    /** True when every one of node's S codes arrived. */
    public boolean complete(int node) {
        byte[][] mine = codes.get(node);
        if (mine == null) return false;
        for (byte[] c : mine) {
            if (c == null) return false;
        }
        return true;
    }

    /** Forgets node's codes of this round (e.g. its replica turned out to differ). */
    public void drop(int node) {
        codes.remove(node);
    }

    /** True while node has codes in this round. */
    public boolean holds(int node) {
        return codes.containsKey(node);
    }

    /** Closes the round: every code held from the nodes {@code counted} accepts, sorted by (node, sample). */
    public RoundCommit commit(IntPredicate counted) {
        open = false;
        List<Contribution> list = new ArrayList<>();
        for (Map.Entry<Integer, byte[][]> e : codes.entrySet()) {
            if (!counted.test(e.getKey())) continue;
            byte[][] mine = e.getValue();
            for (int k = 0; k < mine.length; k++) {
                if (mine[k] != null) list.add(new Contribution(e.getKey(), k, mine[k]));
            }
        }
        return new RoundCommit(round, Collections.unmodifiableList(list));
    }
}
