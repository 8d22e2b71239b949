package onebyte.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SharedHashesTest {
    /** SHA-256 of the raw little-endian bits, written out element by element (the definition). */
    private static String reference(float[] v) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putInt(Float.floatToRawIntBits(f));
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    }

    private static float[] values(int d, long seed) {
        Random r = new Random(seed);
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void everyVectorGetsTheHashOfItsOwnBitsWhileShared() throws Exception {
        float[] base = values(70_001, 5);
        float[] signedZero = base.clone();
        signedZero[17] = 0f;
        float[] negZero = base.clone();
        negZero[17] = -0f;
        float[] nanA = base.clone();
        nanA[70_000] = Float.intBitsToFloat(0x7fc00001);
        float[] nanB = base.clone();
        nanB[70_000] = Float.intBitsToFloat(0x7fc00002);
        float[][] all = {base, base, signedZero, negZero, base, nanA, nanB, nanA, nanB, base};
        List<String> expected = new ArrayList<>();
        for (float[] v : all) {
            expected.add(reference(v));
        }
        assertEquals(expected.get(0), ParameterVector.of(base).hashHex()); // not shared: computed
        SharedHashes.register();
        SharedHashes.register();
        try {
            assertEquals(true, SharedHashes.active());
            for (int i = 0; i < all.length; i++) {
                assertEquals(expected.get(i), ParameterVector.of(all[i]).hashHex(), "vector " + i);
            }
            assertNotEquals(expected.get(2), expected.get(3));
            assertNotEquals(expected.get(5), expected.get(6));
            ParameterVector v = ParameterVector.of(base);
            byte[] h = v.hash();
            h[0] ^= 1; // a caller's copy: the next one is intact
            assertArrayEquals(HexFormat.of().parseHex(expected.get(0)), v.hash());
        } finally {
            SharedHashes.unregister();
            SharedHashes.unregister();
        }
        assertFalse(SharedHashes.active());
        assertEquals(expected.get(3), ParameterVector.of(negZero).hashHex());
    }

    @Test
    void concurrentReplicasOfTwoValuesEachGetTheirOwn() throws Exception {
        float[] a = values(300_000, 1);
        float[] b = a.clone();
        b[123_456] = Math.nextUp(b[123_456]);
        String ha = reference(a);
        String hb = reference(b);
        SharedHashes.register();
        SharedHashes.register();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> fa = new ArrayList<>();
            List<Future<String>> fb = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (int k = 0; k < 8; k++) {
                    ParameterVector va = ParameterVector.of(a);
                    ParameterVector vb = ParameterVector.of(b);
                    fa.add(pool.submit(va::hashHex));
                    fb.add(pool.submit(vb::hashHex));
                }
            }
            for (Future<String> f : fa) {
                assertEquals(ha, f.get());
            }
            for (Future<String> f : fb) {
                assertEquals(hb, f.get());
            }
        } finally {
            pool.shutdown();
            SharedHashes.unregister();
            SharedHashes.unregister();
        }
    }
}
