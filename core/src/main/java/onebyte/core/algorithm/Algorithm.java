package onebyte.core.algorithm;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every algorithm a run can use, by the name scenarios, the CLI and the metrics rows give it.
 * The one place algorithm names are checked: the scenario loader, the commands and the clusters
 * ask this registry, never compare names themselves. Adding an algorithm: a client and a server
 * (SPEC §3, §4) and one line here.
 */
public enum Algorithm {
    /** One-byte shared-randomness SPSA: each sample travels as one log8 code (the scenario's spsa.codec). */
    SPSA("spsa", Family.SPSA, null),
    /** SPSA with 4-byte float projected gradients on the wire (the exact baseline of the codes). */
    SPSA_F32("spsa-f32", Family.SPSA, "f32"),
    /** FedSpeed: K local steps with the prox correction and the ascent gradient (SPEC §4). */
    FEDSPEED("fedspeed", Family.FEDERATED, null),
    /** FedAvg: FedSpeed's loop without prox, correction or ascent. */
    FEDAVG("fedavg", Family.FEDERATED, null);

    /** Which cluster runs an algorithm: the SPSA commit protocol (SPEC §2) or the federated one (SPEC §4). */
    public enum Family { SPSA, FEDERATED }

    private final String id;
    private final Family family;
    private final String codec;

    Algorithm(String id, Family family, String codec) {
        this.id = id;
        this.family = family;
        this.codec = codec;
    }

    /** The name in scenarios, on the command line and in the rows' algorithm column. */
    public String id() {
        return id;
    }

    public Family family() {
        return family;
    }

    public boolean isSpsa() {
        return family == Family.SPSA;
    }

    public boolean isFederated() {
        return family == Family.FEDERATED;
    }

    /** The SPSA codec this algorithm fixes ({@code spsa-f32}: f32), or {@code configured} when it takes the configured one. */
    public String codec(String configured) {
        if (!isSpsa()) {
            throw new IllegalStateException(id + " sends no SPSA codes");
        }
        return codec == null ? configured : codec;
    }

    /** Every name, in registry order. */
    public static List<String> names() {
        return Arrays.stream(values()).map(Algorithm::id).toList();
    }

    /** The algorithm of this name. */
    public static Algorithm of(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Algorithm a : values()) {
            if (a.id.equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown algorithm '" + name + "'; expected one of " + names());
    }

    @Override
    public String toString() {
        return id;
    }
}
