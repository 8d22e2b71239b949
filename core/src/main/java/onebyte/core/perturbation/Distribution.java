package onebyte.core.perturbation;

import java.util.Locale;

/** The distribution of the entries of a perturbation direction z (SPEC §2 step 2). */
public enum Distribution {
    /** Standard normal entries, from {@link java.util.SplittableRandom#nextGaussian()}. */
    GAUSSIAN,
    /** ±1 entries with probability 1/2 each, 64 signs per {@code nextLong()}. */
    RADEMACHER;

    /** The lower-case name used on command lines and in configs ("gaussian", "rademacher"). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses "gaussian" or "rademacher" (case-insensitive, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the bad value and the accepted ones
     */
    public static Distribution parse(String s) {
        if (s != null) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            for (Distribution d : values()) {
                if (d.id().equals(t)) {
                    return d;
                }
            }
        }
        throw new IllegalArgumentException(
                "unknown perturbation distribution '" + s + "' (expected 'gaussian' or 'rademacher')");
    }
}
