package onebyte.coordinator.fed;

import java.util.TreeMap;
import onebyte.core.tensor.ParameterVector;
import onebyte.proto.FedDone;
import onebyte.proto.FedModelChunk;

/**
 * What the participants of a federated round return (SPEC §4), checked as it arrives: x̂_i in
 * {@link onebyte.node.fed.FedChunks} and one FedDone each (its gradient passes must be the
 * round's, its compute seconds finite). A participant has returned once it sent every chunk and
 * its FedDone; the returned x̂_i, in node-id order, are the server's input.
 */
final class FedReturns {
    /** Why a message was rejected: its kind ("late-round:FedDone", ...) and what was wrong. */
    record Rejection(String kind, String detail) {}

    private final int gradientPassesPerRound;
    private final TreeMap<Integer, ParameterVector> returned = new TreeMap<>();

    FedReturns(int gradientPassesPerRound) {
        this.gradientPassesPerRound = gradientPassesPerRound;
    }

    /**
     * Takes chunk {@code c} of participant {@code m} when round {@code current} is {@code open} and
     * waits for {@code m} ({@code waited}); else, or when the chunk itself is wrong, why not.
     */
    Rejection chunk(FedModelChunk c, FedMember m, boolean open, long current, boolean waited) {
        if (!open || c.getRound() != current) {
            return new Rejection((c.getRound() <= current ? "late-round" : "unknown-round") + ":FedModelChunk",
                    "round " + c.getRound() + " while " + (open ? "round " + current + " is open" : "no round is open"));
        }
        if (!waited || m.assembly == null) {
            return new Rejection((returned.containsKey(m.id) ? "duplicate" : "not-participant") + ":FedModelChunk",
                    "node " + m.id + " is not expected to send x̂ in round " + current);
        }
        String bad = m.assembly.accept(c);
        return bad == null ? null : new Rejection(bad.substring(0, bad.indexOf(':')) + ":FedModelChunk", bad);
    }

    /** As {@link #chunk}, for FedDone {@code d}. */
    Rejection done(FedDone d, FedMember m, boolean open, long current, boolean waited) {
        String kind = null;
        if (!open || d.getRound() != current) {
            kind = d.getRound() <= current ? "late-round" : "unknown-round";
        } else if (!waited) {
            kind = "not-participant";
        } else if (m.done != null && m.done.getRound() == current) {
            kind = "duplicate";
        } else if (d.getGradientPasses() != gradientPassesPerRound || !Double.isFinite(d.getComputeSeconds())) {
            kind = "bad-size";
        }
        if (kind == null) {
            m.done = d;
            return null;
        }
        return new Rejection(kind + ":FedDone", "node " + m.id + " round " + d.getRound() + " while " + current + " (open " + open
                + "), " + d.getGradientPasses() + " gradient passes");
    }

    /** Whether {@code m} has now returned round {@code current}: every chunk of x̂_i and its FedDone arrived (x̂_i is kept). */
    boolean returned(FedMember m, long current) {
        if (m.assembly != null && m.assembly.complete() && m.done != null && m.done.getRound() == current) {
            returned.put(m.id, m.assembly.vector());
            m.assembly = null;
            return true;
        }
        return false;
    }

    /** The x̂_i returned so far, by node id. */
    TreeMap<Integer, ParameterVector> vectors() {
        return returned;
    }

    /** A new round: nothing returned yet. */
    void clear() {
        returned.clear();
    }
}
