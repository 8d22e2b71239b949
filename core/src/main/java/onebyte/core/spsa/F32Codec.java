package onebyte.core.spsa;

/**
 * The control: ĝ as a 4-byte big-endian IEEE-754 float32. Decoding gives exactly (float) ĝ.
 * Finite doubles beyond the float range saturate to ±Float.MAX_VALUE (never to ∞). Decoding a
 * 4-byte pattern of NaN or ±∞ (which {@link #encode} never produces) throws.
 */
public record F32Codec() implements ByteCodec {
    @Override
    public String name() {
        return "f32";
    }

    @Override
    public int width() {
        return 4;
    }

    @Override
    public byte[] encode(double g, long contributionSeed) {
        ByteCodec.requireFinite(g);
        float f = (float) Math.max(-Float.MAX_VALUE, Math.min(Float.MAX_VALUE, g));
        int bits = Float.floatToRawIntBits(f);
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    @Override
    public double decode(byte[] code) {
        ByteCodec.requireWidth(code, 4, "f32");
        int bits = (code[0] & 0xFF) << 24 | (code[1] & 0xFF) << 16 | (code[2] & 0xFF) << 8 | (code[3] & 0xFF);
        float f = Float.intBitsToFloat(bits);
        if (!Float.isFinite(f)) {
            throw new IllegalArgumentException("f32 code " + Integer.toHexString(bits) + " is not a finite float (" + f + ")");
        }
        return f;
    }

    @Override
    public String toString() {
        return name();
    }
}
