package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import onebyte.core.data.Batch;
import onebyte.core.model.transformer.DenseBuffer;
import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.spsa.SpsaEstimator;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class TransformerLmTest {
    static {
        Models.limitNativeThreads(1);
    }

    private static final ModelSpec TINY = new ModelSpec(ModelSpec.TRANSFORMER_LM, 0, 0, List.of(), "", 16, 2, 2, 8, 5);

    private static Batch tokens(int b, int t, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[b * (t + 1)];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(vocab);
        float[] in = new float[b * t];
        float[] out = new float[b * t];
        for (int s = 0; s < b; s++) {
            for (int j = 0; j < t; j++) {
                in[s * t + j] = x[s * (t + 1) + j];
                out[s * t + j] = x[s * (t + 1) + j + 1];
            }
        }
        return new Batch(Nd4j.create(in, new long[] {b, t}, 'c'), Nd4j.create(out, new long[] {b, t}, 'c'));
    }

    /** Random init is too small for a sharp check (LayerNorm hides it); perturb θ to O(0.3) first. */
    private static DenseBuffer theta64(ModelSpec spec) {
        ParameterVector init = Models.initialParameters(spec, 4);
        DenseBuffer th = DenseBuffer.doubles(init.length());
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < init.length(); i++) th.set(i, init.get(i) + 0.3 * r.nextGaussian());
        return th;
    }

    @Test
    void gradientMatchesFiniteDifferencesInDouble() {
        TransformerLm m = new TransformerLm(TINY);
        Batch b = tokens(3, 5, 16, 1);
        DenseBuffer th = theta64(TINY);
        DenseBuffer grad = DenseBuffer.doubles(th.length());
        double loss = m.lossAndGradientAt(th, b, grad);
        assertEquals(m.lossAt(th, b), loss, 1e-12);
        SplittableRandom r = new SplittableRandom(3);
        double h = 1e-5;
        double maxErr = 0;
        String worst = "";
        for (Model.TensorShape t : m.tensors()) {
            for (int s = 0; s < 4; s++) {
                int i = (int) (t.offset() + r.nextLong(t.length()));
                double orig = th.get(i);
                th.set(i, orig + h);
                double lp = m.lossAt(th, b);
                th.set(i, orig - h);
                double lm = m.lossAt(th, b);
                th.set(i, orig);
                double fd = (lp - lm) / (2 * h);
                double err = Math.abs(fd - grad.get(i)) / Math.max(1e-4, Math.abs(fd) + Math.abs(grad.get(i)));
                if (err > maxErr) {
                    maxErr = err;
                    worst = t.name() + "[" + (i - t.offset()) + "] fd=" + fd + " bp=" + grad.get(i);
                }
            }
        }
        assertTrue(maxErr < 1e-5, "max relative error " + maxErr + " at " + worst);
    }

    @Test
    void lossIsMeanNextTokenCrossEntropyAndAttentionIsCausal() {
        TransformerLm m = new TransformerLm(TINY);
        Batch b = tokens(2, 5, 16, 2);
        DenseBuffer th = theta64(TINY);
        float[] logits = m.logitsAt(th, b).toFloatArray();
        int[] y = b.labels().reshape(10).castTo(DataType.INT32).toIntVector();
        assertEquals(DenseClassifier.crossEntropy(Nd4j.create(logits, new long[] {10, 16}, 'c'), y, null), m.lossAt(th, b), 1e-6);
        // change the last input token of sequence 0: positions 0..3 must not change, position 4 must
        var in2 = b.inputs().dup();
        in2.putScalar(0, 4, (in2.getDouble(0, 4) + 1) % 16);
        float[] logits2 = m.logitsAt(th, new Batch(in2, b.labels())).toFloatArray();
        for (int i = 0; i < 4 * 16; i++) assertEquals(logits[i], logits2[i], 0.0, "position " + i / 16);
        assertNotEquals(logits[4 * 16], logits2[4 * 16]);
        for (int i = 5 * 16; i < 10 * 16; i++) assertEquals(logits[i], logits2[i], 0.0, "other sequence untouched");
    }

    @Test
    void float32ApiReadsTheCurrentParametersAndNeverWritesThem() {
        Model m = Models.create(TINY);
        Batch b = tokens(2, 5, 16, 3);
        ParameterVector a = Models.initialParameters(TINY, 1);
        ParameterVector c = Models.initialParameters(TINY, 2);
        double la = m.loss(a, b);
        double lc = m.loss(c, b);
        assertNotEquals(la, lc);
        assertEquals(la, m.loss(a, b), 0.0); // the model follows whichever θ it is given
        a.set(0, a.get(0) + 1f); // tok_emb[0][0]: mutate θ in place, the next evaluation sees it
        ParameterVector aCopy = a.copy();
        assertEquals(m.loss(aCopy, b), m.loss(a, b), 0.0);
        ParameterVector g = new ParameterVector(m.numParams());
        double lg = m.lossAndGradient(c, b, g);
        assertEquals(lc, lg, 0.0, "the training pass computes the same loss bits");
        assertTrue(c.bitEquals(Models.initialParameters(TINY, 2)), "evaluation must not modify θ");
        double acc = m.accuracy(c, b);
        assertTrue(acc >= 0 && acc <= 1);
        Evaluation both = ((TransformerLm) m).evaluate(c, b); // one forward pass for both
        assertEquals(lc, both.loss(), 0.0);
        assertEquals(acc, both.accuracy(), 0.0);
        // untrained LM on 16 symbols: loss ≈ ln 16
        assertEquals(Math.log(16), lc, 0.2);
    }

    /** A batch of more sequences than one pass takes runs in sub-batches (on up to two threads): the per-row losses of each, summed in row order. */
    @Test
    void largeBatchesAreTheirSubBatches() {
        TransformerLm m = new TransformerLm(TINY);
        int b = 2 * LmLanes.SUB_BATCH + 13;
        Batch all = tokens(b, 5, 16, 9);
        ParameterVector theta = Models.initialParameters(TINY, 5);
        Evaluation e = m.evaluate(theta, all);
        assertEquals(e.loss(), m.loss(theta, all), 0.0);
        assertEquals(e.accuracy(), m.accuracy(theta, all), 0.0);
        assertEquals(e, m.evaluate(theta, all), "the same bits on every call");
        double loss = 0;
        double correct = 0;
        for (int from = 0; from < b; from += LmLanes.SUB_BATCH) {
            int n = Math.min(LmLanes.SUB_BATCH, b - from);
            var rows = org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + n);
            Batch part = new Batch(all.inputs().get(rows).dup(), all.labels().get(rows).dup());
            loss += m.loss(theta, part) * n;
            correct += m.accuracy(theta, part) * n;
        }
        assertEquals(loss / b, e.loss(), 1e-12);
        assertEquals(correct / b, e.accuracy(), 1e-12);
        ParameterVector g = new ParameterVector(m.numParams());
        // the gradient pass takes the batch whole: the BLAS kernels' blocking depends on the row count, so only nearly equal
        assertEquals(e.loss(), m.lossAndGradient(theta, all, g), 1e-8);
    }

    /** Both SPSA points in one sliced pass: the scratch path's losses, the same bits on 1 and 2 threads, θ untouched. */
    @Test
    void symmetricPerturbedLossesMatchTheScratchPath() {
        ModelSpec spec = new ModelSpec(ModelSpec.TRANSFORMER_LM, 0, 0, List.of(), "", 16, 2, 2, 8, 6);
        TransformerLm m = new TransformerLm(spec);
        ParameterVector theta = Models.initialParameters(spec, 5);
        ParameterVector before = theta.copy();
        Batch b = tokens(3, 6, 16, 4);
        float eps = 1e-2f;
        for (Distribution dist : Distribution.values()) {
            PerturbationStream stream = new PerturbationStream(dist, 100);
            SymmetricPerturbedLoss.Losses one = m.symmetricPerturbedLosses(theta, stream, 7, eps, b, 1);
            SymmetricPerturbedLoss.Losses two = m.symmetricPerturbedLosses(theta, stream, 7, eps, b, 2);
            assertEquals(one, two, "the thread count changes no bit");
            assertEquals(one, m.symmetricPerturbedLosses(theta, stream, 7, eps, b, 1), "deterministic");
            SpsaEstimator est = new SpsaEstimator(m, stream, eps, 1);
            ParameterVector scratch = new ParameterVector(theta.length());
            est.perturb(theta, scratch, 7, eps);
            assertEquals(m.loss(scratch, b), one.plus(), 1e-5, dist + " plus");
            est.perturb(theta, scratch, 7, -eps);
            assertEquals(m.loss(scratch, b), one.minus(), 1e-5, dist + " minus");
            assertNotEquals(one.plus(), one.minus());
        }
        assertTrue(theta.bitEquals(before), "θ comes back bit-exact");
    }

    @Test
    void defaultSizeIsInTheBriefRange() {
        int d = Models.create(ModelSpec.defaultTransformerLm()).numParams();
        assertTrue(d > 500_000 && d < 2_000_000, "default LM has " + d + " parameters");
    }
}
