package onebyte.core.spsa;

/**
 * The One-Byte paper's reference scheme: sign plus k = round(16 · ln|ĝ|) clamped to [−127, 127],
 * decoded as ±exp(k / 16) (StrictMath). Sign (2 values) × k (255 values) is 510 codes, i.e. 9
 * bits, which do not fit in one byte; rather than silently dropping a bit this codec honestly
 * sends <b>2 bytes</b>: byte 0 = flags (bit 0 = negative, bit 1 = exactly zero), byte 1 = k as a
 * signed byte. Decoding: bit 1 set → 0; otherwise ±exp(clamp(k, −127, 127) / 16) — so the
 * unused k = −128 decodes like −127 and every 2-byte code is finite.
 *
 * <p>Rounding is deterministic (nearest, ties up, as {@code Math.round}), hence biased: that is
 * the point of comparing it with {@code log8}. Its range is e^(±127/16) ≈ [3.6e−4, 2.8e3] with
 * level ratio e^(1/16) ≈ 1.065. ĝ = 0 is sent as the explicit zero code.
 */
public record PaperCodec() implements ByteCodec {
    public static final int MAX_K = 127;

    @Override
    public String name() {
        return "paper";
    }

    @Override
    public int width() {
        return 2;
    }

    @Override
    public byte[] encode(double g, long contributionSeed) {
        ByteCodec.requireFinite(g);
        if (g == 0.0) {
            return new byte[] {2, 0};
        }
        double k = Math.round(16.0 * StrictMath.log(Math.abs(g)));
        int kc = (int) Math.max(-MAX_K, Math.min(MAX_K, k));
        return new byte[] {(byte) (g < 0 ? 1 : 0), (byte) kc};
    }

    @Override
    public double decode(byte[] code) {
        ByteCodec.requireWidth(code, 2, "paper");
        if ((code[0] & 2) != 0) {
            return 0.0;
        }
        int k = Math.max(-MAX_K, code[1]);
        double v = StrictMath.exp(k / 16.0);
        return (code[0] & 1) != 0 ? -v : v;
    }

    @Override
    public String toString() {
        return name();
    }
}
