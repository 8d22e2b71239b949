package onebyte.core.model.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.perturbation.PerturbedSlices;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;

/** Masks, determinism and the streamed two-point pass of {@link Transformer}. */
class TransformerPassesTest {
    private static final TransformerConfig ENCODER = TransformerGradientTest.ENCODER;
    private static final TransformerConfig DECODER = TransformerGradientTest.DECODER;

    @Test
    void paddingAfterASequenceChangesNoHiddenStateOfItsTokens() {
        Transformer m = new Transformer(ENCODER);
        DenseBuffer theta = TransformerGradientTest.randomTheta(m, DenseBuffer.doubles(1), 3);
        int[] shortSeq = {5, 3, 7};
        int[] padded = {5, 3, 7, 0, 0};
        double[] a = rows(m.forward(theta, 0, shortSeq, null, 1, 3), 3 * 8);
        double[] b = rows(m.forward(theta, 0, padded, null, 1, 5), 3 * 8);
        assertArrayEquals(a, b, 1e-12);
        int[] other = {5, 3, 7, 0, 4}; // a real token there is seen
        assertNotEquals(a[0], rows(m.forward(theta, 0, other, null, 1, 5), 3 * 8)[0]);
    }

    @Test
    void decoderPositionsSeeOnlyTheirPast() {
        Transformer m = new Transformer(DECODER);
        DenseBuffer theta = TransformerGradientTest.randomTheta(m, DenseBuffer.doubles(1), 4);
        int[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        double[] a = rows(m.forward(theta, 0, x, null, 2, 6), 12 * 13);
        x[3] = 9; // sequence 0, position 3
        double[] b = rows(m.forward(theta, 0, x, null, 2, 6), 12 * 13);
        for (int i = 0; i < 12 * 13; i++) {
            int pos = i / 13;
            if (pos < 3 || pos >= 6) assertEquals(a[i], b[i], 0.0, "position " + pos);
        }
        assertNotEquals(a[3 * 13], b[3 * 13]);
    }

    /** Both perturbed points from slices equal the in-place forward at θ ± εz (up to the summation order), on any thread count. */
    @Test
    void streamedTwoPointPassMatchesInPlaceAtBothPoints() {
        for (TransformerConfig c : new TransformerConfig[] {ENCODER, DECODER}) {
            Transformer m = new Transformer(c);
            int d = m.numParams();
            ParameterVector theta = new ParameterVector(d);
            DenseBuffer th = DenseBuffer.of(theta.array());
            TransformerGradientTest.randomTheta(m, th, 9).copyTo(0, th, 0, d);
            ParameterVector before = theta.copy();
            int[] tokens = TransformerGradientTest.ids(12, c.vocab(), 6);
            tokens[5] = 0;
            PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, 64);
            float eps = 1e-2f;
            int[] slices = m.layout().sliceLengths(40);
            float[][] seen = new float[2][];
            for (int threads = 1; threads <= 2; threads++) {
                PerturbedSlices ps = new PerturbedSlices(stream, java.util.Arrays.stream(slices).max().orElseThrow(), threads);
                try (PerturbedSlices.Pass pass = ps.start(theta, 11, eps, slices)) {
                    DenseBuffer[] out = m.forward(Weights.perturbed(pass), 2, tokens, null, 2, 6);
                    float[] both = concat(out[0].toFloatArray(), out[1].toFloatArray());
                    if (seen[0] == null) seen[0] = both; else assertArrayEquals(seen[0], both, "same bits on 1 and 2 threads");
                }
            }
            assertTrue(theta.bitEquals(before), "θ is never written");
            float[] z = new float[d];
            stream.fill(11, z);
            for (int sign = 1; sign >= -1; sign -= 2) {
                ParameterVector point = new ParameterVector(d);
                for (int i = 0; i < d; i++) point.set(i, theta.get(i) + sign * eps * z[i]);
                float[] ref = m.forward(DenseBuffer.of(point.array()), 0, tokens, null, 2, 6).toFloatArray();
                int from = sign == 1 ? 0 : ref.length;
                for (int i = 0; i < ref.length; i++) assertEquals(ref[i], seen[0][from + i], 2e-5, c.layout() + " point " + sign);
            }
        }
    }

    @Test
    void sameThetaAndInputsGiveTheSameBits() {
        Transformer a = new Transformer(DECODER);
        Transformer b = new Transformer(DECODER);
        DenseBuffer theta = DenseBuffer.floats(a.numParams());
        TransformerGradientTest.randomTheta(a, theta, 2).copyTo(0, theta, 0, a.numParams());
        int[] x = TransformerGradientTest.ids(12, 13, 1);
        float[] first = a.forward(theta, 0, x, null, 2, 6).toFloatArray();
        assertArrayEquals(first, a.forward(theta, 0, x, null, 2, 6).toFloatArray());
        assertArrayEquals(first, b.forward(theta, 0, x, null, 2, 6).toFloatArray());
        assertArrayEquals(first, a.forwardTraced(theta, 0, x, null, 2, 6).toFloatArray(), "the training pass computes the same bits");
    }

    @Test
    void badInputsAreRefused() {
        Transformer m = new Transformer(ENCODER);
        DenseBuffer theta = DenseBuffer.floats(m.numParams());
        assertThrows(IllegalArgumentException.class, () -> m.forward(theta, 0, new int[] {11}, null, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> m.forward(theta, 0, new int[8], null, 1, 8));
        assertThrows(IllegalArgumentException.class, () -> m.forward(theta, 0, new int[] {1}, new int[] {2}, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> m.forward(theta, 1, new int[] {1}, null, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> TransformerConfig.bert(10, 8, 2, 10, 1, 3, 8, 1e-12));
    }

    private static double[] rows(DenseBuffer out, int n) {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) r[i] = out.get(i);
        return r;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
