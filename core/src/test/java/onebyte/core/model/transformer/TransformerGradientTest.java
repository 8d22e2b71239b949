package onebyte.core.model.transformer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The hand-written backward pass of both layouts against central finite differences in double
 * precision, for sampled elements of every parameter tensor, with the loss L = Σ output ⊙ R for a
 * fixed random R (so dL/d(output) = R).
 */
class TransformerGradientTest {
    static final TransformerConfig ENCODER = TransformerConfig.bert(11, 7, 2, 8, 2, 2, 12, 1e-12);
    static final TransformerConfig DECODER = TransformerConfig.causalLm(13, 6, 8, 2, 2);

    /** Every parameter random (LayerNorm gains around 1), so that every element matters. */
    static DenseBuffer randomTheta(Transformer t, DenseBuffer kind, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseBuffer th = kind.like(t.numParams());
        for (ParameterLayout.Tensor ts : t.tensors()) {
            boolean gain = ts.name().endsWith("LayerNorm.weight") || ts.name().endsWith(".gain");
            for (int i = 0; i < ts.length(); i++) th.set(ts.offset() + i, (gain ? 1 : 0) + 0.3 * r.nextGaussian());
        }
        return th;
    }

    static int[] ids(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = 1 + r.nextInt(vocab - 1);
        return out;
    }

    @Test
    void encoderGradientMatchesFiniteDifferences() {
        int b = 3;
        int t = 5;
        int[] tokens = ids(b * t, ENCODER.vocab(), 1);
        tokens[3] = tokens[4] = 0; // sequence 0 ends in padding
        for (int j = 0; j < t; j++) tokens[2 * t + j] = 0; // sequence 2 is padding only
        int[] types = new int[b * t];
        for (int i = 0; i < types.length; i++) types[i] = i % 3 == 0 ? 1 : 0;
        check(ENCODER, tokens, types, b, t);
    }

    @Test
    void decoderGradientMatchesFiniteDifferences() {
        check(DECODER, ids(2 * 6, DECODER.vocab(), 2), null, 2, 6);
    }

    private static void check(TransformerConfig c, int[] tokens, int[] types, int b, int t) {
        Transformer m = new Transformer(c);
        int offset = 3; // the stack need not start θ
        DenseBuffer theta = DenseBuffer.doubles(offset + m.numParams() + 2);
        DenseBuffer own = randomTheta(m, theta, 7);
        own.copyTo(0, theta, offset, m.numParams());
        int outputs = b * t * m.outputWidth();
        DenseBuffer weights = DenseBuffer.doubles(outputs);
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < outputs; i++) weights.set(i, r.nextGaussian());
        DenseBuffer out = m.forwardTraced(theta, offset, tokens, types, b, t);
        double loss = dot(out, weights);
        DenseBuffer grad = DenseBuffer.doubles(m.numParams() + 1);
        m.backward(theta, offset, weights, grad, 1);
        assertTrue(Math.abs(loss - dot(m.forward(theta, offset, tokens, types, b, t), weights)) < 1e-12, "traced = inference");
        double h = 1e-5;
        double worst = 0;
        String where = "";
        for (ParameterLayout.Tensor ts : m.tensors()) {
            for (int s = 0; s < 3; s++) {
                int i = ts.offset() + r.nextInt(ts.length());
                double orig = theta.get(offset + i);
                theta.set(offset + i, orig + h);
                double lp = dot(m.forward(theta, offset, tokens, types, b, t), weights);
                theta.set(offset + i, orig - h);
                double lm = dot(m.forward(theta, offset, tokens, types, b, t), weights);
                theta.set(offset + i, orig);
                double fd = (lp - lm) / (2 * h);
                double bp = grad.get(1 + i);
                double err = Math.abs(fd - bp) / Math.max(1e-3, Math.abs(fd) + Math.abs(bp));
                if (err > worst) {
                    worst = err;
                    where = ts.name() + "[" + (i - ts.offset()) + "] fd=" + fd + " bp=" + bp;
                }
            }
        }
        assertTrue(worst < 1e-6, c.layout() + ": max relative error " + worst + " at " + where);
        assertTrue(grad.get(0) == 0, "nothing written before gradOffset");
    }

    static double dot(DenseBuffer a, DenseBuffer b) {
        double s = 0;
        for (int i = 0; i < b.length(); i++) s += a.get(i) * b.get(i);
        return s;
    }
}
