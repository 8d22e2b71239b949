package onebyte.core.data;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import onebyte.core.perturbation.SeedMixer;

/**
 * Two seeded generative byte "languages" for the LM, a source and a shifted target.
 *
 * <p>Both are order-2 Markov chains over the same 32-symbol alphabet (lower-case letters, space and
 * {@code .,;!?}). Language A's next-symbol distribution after (p2, p1) is 0.7·A1[p1] + 0.3·A2[p2, p1]
 * where every A1 row and A2 row is a Dirichlet(0.1) draw (sparse: a handful of likely successors),
 * so most of the structure is learnable from the previous byte and the rest needs the one before;
 * language B is built the same way from independent draws. The target chain mixes them: P_target = (1−shift)·P_A + shift·P_B; the source is P_A. So
 * shift 0 is no shift and shift 1 is a different language over the same bytes. Everything is
 * deterministic in (shift, seed) and the per-call sample seed.
 */
public final class SyntheticText {
    public enum Domain { SOURCE, TARGET }

    /** The alphabet, as bytes. */
    public static final byte[] ALPHABET = "abcdefghijklmnopqrstuvwxyz .,;!?".getBytes(StandardCharsets.US_ASCII);
    private static final int K = ALPHABET.length;
    /** Weight of the order-1 part of each transition (the rest depends on both previous symbols). */
    private static final double BIGRAM_WEIGHT = 0.7;

    private final double[][] sourceCdf; // [K*K][K]
    private final double[][] targetCdf;

    public SyntheticText(double shift, long seed) {
        if (shift < 0 || shift > 1) throw new IllegalArgumentException("shift must be in [0, 1]: " + shift);
        SplittableRandom ra = new SplittableRandom(SeedMixer.derive(seed, 0x4C414E4741L)); // "LANGA"
        SplittableRandom rb = new SplittableRandom(SeedMixer.derive(seed, 0x4C414E4742L)); // "LANGB"
        sourceCdf = new double[K * K][];
        targetCdf = new double[K * K][];
        double[][] a1 = new double[K][];
        double[][] b1 = new double[K][];
        for (int c = 0; c < K; c++) {
            a1[c] = Draws.dirichlet(ra, 0.1, K);
            b1[c] = Draws.dirichlet(rb, 0.1, K);
        }
        for (int c = 0; c < K * K; c++) {
            double[] a2 = Draws.dirichlet(ra, 0.1, K);
            double[] b2 = Draws.dirichlet(rb, 0.1, K);
            double[] a = new double[K];
            double[] t = new double[K];
            for (int j = 0; j < K; j++) {
                a[j] = BIGRAM_WEIGHT * a1[c % K][j] + (1 - BIGRAM_WEIGHT) * a2[j];
                double b = BIGRAM_WEIGHT * b1[c % K][j] + (1 - BIGRAM_WEIGHT) * b2[j];
                t[j] = (1 - shift) * a[j] + shift * b;
            }
            sourceCdf[c] = cdf(a);
            targetCdf[c] = cdf(t);
        }
    }

    private static double[] cdf(double[] p) {
        double[] c = new double[p.length];
        double s = 0;
        for (int i = 0; i < p.length; i++) c[i] = s += p[i];
        c[p.length - 1] = Double.POSITIVE_INFINITY; // guards against rounding
        return c;
    }

    /** {@code length} bytes of the domain's language from {@code new SplittableRandom(sampleSeed)}. */
    public byte[] generate(Domain domain, int length, long sampleSeed) {
        double[][] chain = domain == Domain.SOURCE ? sourceCdf : targetCdf;
        SplittableRandom r = new SplittableRandom(sampleSeed);
        byte[] out = new byte[length];
        int p2 = r.nextInt(K);
        int p1 = r.nextInt(K);
        for (int i = 0; i < length; i++) {
            double[] cdf = chain[p2 * K + p1];
            double u = r.nextDouble();
            int next = 0;
            while (cdf[next] <= u) next++;
            out[i] = ALPHABET[next];
            p2 = p1;
            p1 = next;
        }
        return out;
    }

    /** {@code count} LM windows of {@code context} tokens, cut from one generated stream (stride = context). */
    public InMemoryDataset windows(Domain domain, int count, int context, long sampleSeed) {
        return TextDataset.windows(generate(domain, count * context + 1, sampleSeed), context, context);
    }

    /** Conventional splits from derived seeds. */
    public InMemoryDataset sourceTrain(int count, int context, long seed) {
        return windows(Domain.SOURCE, count, context, SeedMixer.derive(seed, 1));
    }

    public InMemoryDataset sourceEval(int count, int context, long seed) {
        return windows(Domain.SOURCE, count, context, SeedMixer.derive(seed, 2));
    }

    public InMemoryDataset targetTrain(int count, int context, long seed) {
        return windows(Domain.TARGET, count, context, SeedMixer.derive(seed, 3));
    }

    public InMemoryDataset targetEval(int count, int context, long seed) {
        return windows(Domain.TARGET, count, context, SeedMixer.derive(seed, 4));
    }
}
