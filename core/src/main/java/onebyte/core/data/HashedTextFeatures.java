package onebyte.core.data;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import onebyte.core.perturbation.SeedMixer;

/**
 * Text → a fixed-width dense feature vector for the dense models (logreg, mlp): a signed,
 * hashed bag of words and word bigrams.
 * <ol>
 *   <li>tokens: maximal runs of letters or digits ({@code \p{L}\p{N}}), lower-cased (Locale.ROOT);
 *       at most {@link #MAX_TOKENS} per text;</li>
 *   <li>every token {@code w} and every adjacent pair {@code "w1 w2"} is hashed: FNV-1a 64 over its
 *       UTF-8 bytes, folded with the seed ({@link SeedMixer#fold}); the bucket is
 *       {@code (h >>> 1) mod width} and the sign the lowest bit (+1 / −1), so collisions cancel
 *       on average instead of piling up;</li>
 *   <li>each bucket's signed count c becomes {@code sign(c)·ln(1 + |c|)} and the vector is
 *       scaled to unit L2 norm (an empty text is all zeros).</li>
 * </ol>
 * Same texts, width and seed → the same floats on every machine.
 */
public record HashedTextFeatures(int width, long seed) implements TextEncoder {
    /** Tokens read per text (long e-mails are cut here; the head carries the subject). */
    public static final int MAX_TOKENS = 2_000;

    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+");

    public HashedTextFeatures {
        if (width < 2) throw new IllegalArgumentException("hashed feature width must be >= 2, got " + width);
    }

    /** The features of every text, with their classes, as a classification data set. */
    @Override
    public InMemoryDataset encode(List<String> texts, int[] classes, int numClasses) {
        float[] x = new float[texts.size() * width];
        float[] y = new float[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            features(texts.get(i), x, i * width);
            y[i] = classes[i];
        }
        return new InMemoryDataset(width, x, 1, y, numClasses);
    }

    /** Writes the features of {@code text} into {@code out[offset .. offset + width)}. */
    public void features(String text, float[] out, int offset) {
        Matcher m = TOKEN.matcher(text);
        long previous = 0;
        int n = 0;
        while (n < MAX_TOKENS && m.find()) {
            long h = fnv(m.group().toLowerCase(Locale.ROOT));
            add(out, offset, SeedMixer.fold(seed, h));
            if (n > 0) add(out, offset, SeedMixer.fold(seed, SeedMixer.fold(previous, h)));
            previous = h;
            n++;
        }
        double norm = 0;
        for (int j = 0; j < width; j++) {
            float c = out[offset + j];
            float v = (float) (Math.signum(c) * Math.log1p(Math.abs(c)));
            out[offset + j] = v;
            norm += (double) v * v;
        }
        if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < width; j++) out[offset + j] *= inv;
        }
    }

    private void add(float[] out, int offset, long h) {
        out[offset + (int) Long.remainderUnsigned(h >>> 1, width)] += (h & 1) == 0 ? 1 : -1;
    }

    private static long fnv(String token) {
        long h = 0xCBF29CE484222325L;
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }
}
