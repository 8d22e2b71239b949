package onebyte.core.perturbation;

/**
 * 64-bit seed derivation shared by every replica (SPEC §2 step 1).
 *
 * <p>Every value is folded in with the SplitMix64 finaliser, so each seed depends on all of its
 * inputs and on their order. Nothing here is random: the same inputs give the same seed on every
 * JVM. These functions are part of a run's identity; changing them changes every number.
 */
public final class SeedMixer {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** Salt that separates the stochastic-rounding stream of a contribution from its direction. */
    public static final long SALT_ROUNDING = 0x524F554E44494E47L; // "ROUNDING"
    /** Salt that separates a contribution's minibatch draw from its direction. */
    public static final long SALT_MINIBATCH = 0x4D494E4942415443L; // "MINIBATC"

    private SeedMixer() {}

    /** The SplitMix64 finaliser (Stafford variant 13). A bijection on 64-bit values. */
    public static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Folds {@code value} into {@code state}: finalise(state + GOLDEN + value). */
    public static long fold(long state, long value) {
        return finalise(state + GOLDEN + finalise(value));
    }

    /** s = mix(runSeed, nodeId, round, sample): the seed of one SPSA contribution. */
    public static long contributionSeed(long runSeed, int nodeId, long round, int sample) {
        long s = fold(runSeed, nodeId & 0xFFFFFFFFL);
        s = fold(s, round);
        return fold(s, sample);
    }

    /** mix(s, c): the seed of chunk c of the direction drawn from seed s. */
    public static long chunkSeed(long seed, int chunk) {
        return fold(seed, 0x4348554E4B000000L ^ chunk); // "CHUNK" tag keeps it apart from other folds
    }

    /** A seed for a separate purpose derived from s (rounding, minibatch, ...). */
    public static long derive(long seed, long salt) {
        return fold(seed, salt);
    }
}
