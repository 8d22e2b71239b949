package onebyte.core.spsa;

import onebyte.core.perturbation.SeedMixer;

import java.util.Locale;

/**
 * Quantiser Q and decoder D of the projected gradient ĝ (SPEC §3). A codec is part of a run's
 * identity: every replica decodes every code with the same codec, and {@link #decode} is a pure,
 * platform-independent function (only {@code StrictMath} is used), so all replicas compute the
 * same update floats.
 *
 * <p>Codecs by name ({@link #named}); optional parameters follow the name after colons:
 * <ul>
 *   <li>{@code log8} (default) or {@code log8:<gMin>:<gMax>}: {@link Log8Codec}, 1 byte.</li>
 *   <li>{@code f32}: {@link F32Codec}, 4 bytes, the control.</li>
 *   <li>{@code sign} or {@code sign:<scale>}: {@link SignCodec}, 1 byte, value ±scale (default 1.0).</li>
 *   <li>{@code paper}: {@link PaperCodec}, 2 bytes (sign + 8-bit exponent; 9 bits do not fit one byte).</li>
 * </ul>
 */
public interface ByteCodec {
    /** The default codec name. */
    String DEFAULT = "log8";

    /** The name that {@link #named} parses back into an equal codec (parameters included). */
    String name();

    /** Bytes on the wire per contribution. */
    int width();

    /**
     * Q(g). Deterministic for a given (g, contributionSeed); stochastic codecs draw their
     * randomness from {@code SeedMixer.derive(contributionSeed, SeedMixer.SALT_ROUNDING)}.
     *
     * @throws IllegalArgumentException if g is NaN or infinite (the message names the value)
     */
    byte[] encode(double g, long contributionSeed);

    /**
     * D(code): every code of {@link #width()} bytes decodes to a finite value (for {@code f32},
     * the 4-byte patterns of NaN/∞, which {@link #encode} never produces, are rejected).
     *
     * @throws IllegalArgumentException if the code has the wrong width
     */
    double decode(byte[] code);

    /** The codec for a name such as "log8", "log8:1e-4:1e3", "f32", "sign", "sign:0.01", "paper". */
    static ByteCodec named(String name) {
        if (name == null) {
            throw new IllegalArgumentException("codec name must not be null (expected log8, f32, sign or paper)");
        }
        String[] parts = name.trim().toLowerCase(Locale.ROOT).split(":", -1);
        try {
            switch (parts[0]) {
                case "log8":
                    if (parts.length == 1) {
                        return new Log8Codec();
                    }
                    if (parts.length == 3) {
                        return new Log8Codec(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]));
                    }
                    break;
                case "f32":
                    if (parts.length == 1) {
                        return new F32Codec();
                    }
                    break;
                case "sign":
                    if (parts.length == 1) {
                        return new SignCodec();
                    }
                    if (parts.length == 2) {
                        return new SignCodec(Double.parseDouble(parts[1]));
                    }
                    break;
                case "paper":
                    if (parts.length == 1) {
                        return new PaperCodec();
                    }
                    break;
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in codec '" + name + "': " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("unknown codec '" + name
                + "' (expected log8, log8:<gMin>:<gMax>, f32, sign, sign:<scale> or paper)");
    }

    /** The default codec ({@code log8} with g_min 1e-4, g_max 1e3). */
    static ByteCodec defaultCodec() {
        return new Log8Codec();
    }

    /** Throws the standard error for a non-finite input; returns g otherwise. */
    static double requireFinite(double g) {
        if (!Double.isFinite(g)) {
            throw new IllegalArgumentException("cannot encode non-finite projected gradient " + g);
        }
        return g;
    }

    /** Throws unless the code has exactly {@code width} bytes. */
    static void requireWidth(byte[] code, int width, String codec) {
        if (code == null || code.length != width) {
            throw new IllegalArgumentException(codec + " code must be " + width + " byte(s), got "
                    + (code == null ? "null" : code.length + " byte(s)"));
        }
    }
}
