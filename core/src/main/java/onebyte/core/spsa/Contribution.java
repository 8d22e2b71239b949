package onebyte.core.spsa;

import onebyte.core.perturbation.SeedMixer;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One node's quantised projected gradient for one sample of a round: (nodeId i, sample k, q).
 * The seed never travels; every replica derives it with {@link SeedMixer#contributionSeed}.
 *
 * <p>The code is copied on construction. {@link #code()} returns the record's own array for
 * speed: do not modify it. Equality, hash and toString use the code's contents.
 */
public record Contribution(int nodeId, int sample, byte[] code) {
    public Contribution {
        if (sample < 0) {
            throw new IllegalArgumentException("sample must be >= 0, got " + sample);
        }
        if (code == null || code.length == 0) {
            throw new IllegalArgumentException("contribution of node " + nodeId + " has an empty code");
        }
        code = code.clone();
    }

    /** Orders by nodeId (signed int comparison), then sample. */
    public static int compareKeys(Contribution a, Contribution b) {
        int c = Integer.compare(a.nodeId, b.nodeId);
        return c != 0 ? c : Integer.compare(a.sample, b.sample);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Contribution c && c.nodeId == nodeId && c.sample == sample && Arrays.equals(c.code, code);
    }

    @Override
    public int hashCode() {
        return (nodeId * 31 + sample) * 31 + Arrays.hashCode(code);
    }

    @Override
    public String toString() {
        return "Contribution[node=" + nodeId + ", sample=" + sample + ", code=" + HexFormat.of().formatHex(code) + "]";
    }
}
