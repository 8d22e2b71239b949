package onebyte.core.perturbation;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Prints the SHA-256 of a generated direction: {@code <distribution> <chunkSize> <d> <seed> <threads>}.
 * Run in a child JVM by {@link PerturbationStreamTest} to check cross-process determinism.
 */
public final class DirectionHashMain {
    private DirectionHashMain() {}

    public static void main(String[] args) throws Exception {
        PerturbationStream s = new PerturbationStream(Distribution.parse(args[0]), Integer.parseInt(args[1]));
        float[] z = new float[Integer.parseInt(args[2])];
        s.fill(Long.parseLong(args[3]), z, Integer.parseInt(args[4]));
        System.out.println(hash(z));
    }

    /** SHA-256 over the little-endian raw bits, hex. */
    static String hash(float[] z) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 * z.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : z) {
            b.putInt(Float.floatToRawIntBits(f));
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    }
}
