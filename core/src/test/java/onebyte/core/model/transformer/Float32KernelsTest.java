package onebyte.core.model.transformer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float32 kernels (softmax and its backward, LayerNorm forward and backward, GELU, embeddings
 * gather and scatter, bulk fill and copy) against the float64 passes that the finite-difference
 * check covers: the same θ and inputs, outputs and every gradient element within float32 error.
 */
class Float32KernelsTest {
    @Test
    void encoderFloat32PassesMatchFloat64() {
        int b = 3;
        int t = 6;
        int[] tokens = TransformerGradientTest.ids(b * t, 11, 4);
        tokens[4] = tokens[5] = 0; // sequence 0 ends in padding
        for (int j = 0; j < t; j++) tokens[2 * t + j] = 0; // sequence 2 is padding only
        int[] types = new int[b * t];
        for (int i = 0; i < types.length; i++) types[i] = i % 2;
        compare(TransformerConfig.bert(11, 7, 2, 16, 2, 4, 24, 1e-12), tokens, types, b, t);
    }

    @Test
    void decoderFloat32PassesMatchFloat64() {
        compare(TransformerConfig.causalLm(13, 9, 16, 2, 2), TransformerGradientTest.ids(2 * 9, 13, 5), null, 2, 9);
    }

    private static void compare(TransformerConfig c, int[] tokens, int[] types, int b, int t) {
        Transformer m64 = new Transformer(c);
        Transformer m32 = new Transformer(c);
        DenseBuffer th64 = TransformerGradientTest.randomTheta(m64, DenseBuffer.doubles(1), 8);
        DenseBuffer th32 = DenseBuffer.floats(th64.length());
        th64.copyTo(0, th32, 0, th64.length());
        th32.copyTo(0, th64, 0, th64.length()); // both start from the same float32 values
        int outputs = b * t * m64.outputWidth();
        double out = maxDiff(m64.forward(th64, 0, tokens, types, b, t), m32.forward(th32, 0, tokens, types, b, t), outputs);
        assertTrue(out < 2e-5 * scale(m64.forward(th64, 0, tokens, types, b, t), outputs), c.layout() + ": forward differs by " + out);

        SplittableRandom r = new SplittableRandom(6);
        DenseBuffer d64 = DenseBuffer.doubles(outputs);
        for (int i = 0; i < outputs; i++) d64.set(i, r.nextGaussian());
        DenseBuffer d32 = DenseBuffer.floats(outputs);
        d64.copyTo(0, d32, 0, outputs);
        d32.copyTo(0, d64, 0, outputs);
        DenseBuffer g64 = DenseBuffer.doubles(m64.numParams());
        DenseBuffer g32 = DenseBuffer.floats(m64.numParams());
        g32.fill(0, g32.length(), 7); // backward overwrites the gradient
        m64.forwardTraced(th64, 0, tokens, types, b, t);
        m64.backward(th64, 0, d64, g64, 0);
        m32.forwardTraced(th32, 0, tokens, types, b, t);
        m32.backward(th32, 0, d32, g32, 0);
        for (ParameterLayout.Tensor ts : m64.tensors()) {
            DenseBuffer a = g64.view(ts.offset(), ts.length());
            DenseBuffer e = g32.view(ts.offset(), ts.length());
            double diff = maxDiff(a, e, ts.length());
            double s = Math.max(1, scale(a, ts.length()));
            assertTrue(diff < 1e-4 * s, c.layout() + " " + ts.name() + ": gradient differs by " + diff + " (largest " + s + ")");
        }
    }

    private static double maxDiff(DenseBuffer a, DenseBuffer b, int n) {
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a.get(i) - b.get(i)));
        return worst;
    }

    private static double scale(DenseBuffer a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s = Math.max(s, Math.abs(a.get(i)));
        return s;
    }
}
