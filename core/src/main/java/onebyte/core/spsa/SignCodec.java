package onebyte.core.spsa;

/**
 * signSGD-style code, 1 byte: ĝ &gt; 0 → 0x01, ĝ &lt; 0 → 0xFF, ĝ = 0 → 0x00. Decoding reads the byte
 * as a signed value: positive → +scale, negative → −scale, zero → 0. The default scale is 1.0, so
 * the step size is carried entirely by the learning rate (θ ← θ − (η/n) Σ ±z); pass another scale
 * ("sign:0.01") to keep a learning rate tuned for magnitude-carrying codes.
 */
public record SignCodec(double scale) implements ByteCodec {
    public static final double DEFAULT_SCALE = 1.0;

    public SignCodec {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("sign scale must be finite and > 0, got " + scale);
        }
    }

    public SignCodec() {
        this(DEFAULT_SCALE);
    }

    @Override
    public String name() {
        return scale == DEFAULT_SCALE ? "sign" : "sign:" + scale;
    }

    @Override
    public int width() {
        return 1;
    }

    @Override
    public byte[] encode(double g, long contributionSeed) {
        ByteCodec.requireFinite(g);
        return new byte[] {(byte) (g > 0 ? 1 : g < 0 ? -1 : 0)};
    }

    @Override
    public double decode(byte[] code) {
        ByteCodec.requireWidth(code, 1, "sign");
        return code[0] > 0 ? scale : code[0] < 0 ? -scale : 0.0;
    }

    @Override
    public String toString() {
        return name();
    }
}
