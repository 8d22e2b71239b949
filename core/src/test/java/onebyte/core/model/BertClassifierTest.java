package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import onebyte.core.data.Batch;
import onebyte.core.model.transformer.DenseBuffer;
import onebyte.core.model.transformer.TransformerConfig;
import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.spsa.SpsaEstimator;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The BERT classifier (encoder + mean pooling + linear head) on a small random encoder. */
class BertClassifierTest {
    static {
        Models.limitNativeThreads(1);
    }

    static final TransformerConfig SMALL = TransformerConfig.bert(17, 9, 2, 8, 2, 2, 12, 1e-12);
    static final int CLASSES = 3;

    /** Sequence 0 ends in padding, sequence 2 is one token, the rest are full. */
    static Batch batch(int b, int t, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] ids = new float[b * t];
        float[] labels = new float[b];
        for (int i = 0; i < b; i++) {
            int len = i == 0 ? t - 2 : i == 2 ? 1 : t;
            for (int j = 0; j < len; j++) ids[i * t + j] = 1 + r.nextInt(SMALL.vocab() - 1);
            labels[i] = r.nextInt(CLASSES);
        }
        return new Batch(Nd4j.create(ids, new long[] {b, t}, 'c'), Nd4j.create(labels, new long[] {b}, 'c'));
    }

    static DenseBuffer randomTheta(BertClassifier m, DenseBuffer kind, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseBuffer th = kind.like(m.numParams());
        for (Model.TensorShape ts : m.tensors()) {
            boolean gain = ts.name().endsWith("LayerNorm.weight");
            for (int i = 0; i < ts.length(); i++) th.set((int) ts.offset() + i, (gain ? 1 : 0) + 0.3 * r.nextGaussian());
        }
        return th;
    }

    @Test
    void layoutIsTheEncoderThenTheHead() {
        BertClassifier m = new BertClassifier(SMALL, CLASSES);
        var t = m.tensors();
        assertEquals("embeddings.word_embeddings.weight", t.get(0).name());
        assertEquals("head.weight", t.get(t.size() - 2).name());
        assertEquals("head.bias", t.get(t.size() - 1).name());
        Model.TensorShape last = t.get(t.size() - 1);
        assertEquals(m.numParams(), last.offset() + last.length());
        assertEquals(m.numParams(), new onebyte.core.model.transformer.Transformer(SMALL).numParams() + 8 * CLASSES + CLASSES);
    }

    @Test
    void gradientMatchesFiniteDifferencesForEveryTensor() {
        BertClassifier m = new BertClassifier(SMALL, CLASSES);
        DenseBuffer theta = randomTheta(m, DenseBuffer.doubles(1), 7);
        Batch b = batch(4, 6, 3);
        DenseBuffer grad = DenseBuffer.doubles(m.numParams());
        double loss = m.lossAndGradientAt(theta, b, grad);
        assertEquals(m.lossAt(theta, b), loss, 1e-12);
        SplittableRandom r = new SplittableRandom(5);
        double h = 1e-5;
        double worst = 0;
        String where = "";
        for (Model.TensorShape ts : m.tensors()) {
            for (int s = 0; s < 3; s++) {
                int i = (int) ts.offset() + r.nextInt((int) ts.length());
                double orig = theta.get(i);
                theta.set(i, orig + h);
                double lp = m.lossAt(theta, b);
                theta.set(i, orig - h);
                double lm = m.lossAt(theta, b);
                theta.set(i, orig);
                double fd = (lp - lm) / (2 * h);
                double err = Math.abs(fd - grad.get(i)) / Math.max(1e-3, Math.abs(fd) + Math.abs(grad.get(i)));
                if (err > worst) {
                    worst = err;
                    where = ts.name() + " fd=" + fd + " bp=" + grad.get(i);
                }
            }
        }
        assertTrue(worst < 1e-6, "max relative error " + worst + " at " + where);
    }

    @Test
    void paddingChangesNothingButThePooledTokens() {
        BertClassifier m = new BertClassifier(SMALL, CLASSES);
        ParameterVector theta = ParameterVector.of(randomTheta(m, DenseBuffer.floats(1), 2).toFloatArray());
        Batch b = batch(4, 6, 9);
        Batch wider = new Batch(Nd4j.concat(1, b.inputs(), Nd4j.zeros(b.inputs().dataType(), 4, 3)), b.labels());
        assertEquals(m.loss(theta, b), m.loss(theta, wider), 1e-5);
        assertEquals(m.accuracy(theta, b), m.accuracy(theta, wider));
    }

    @Test
    void bothSpsaPointsMatchTheScratchPathOnAnyThreadCount() {
        BertClassifier m = new BertClassifier(SMALL, CLASSES);
        ParameterVector theta = ParameterVector.of(randomTheta(m, DenseBuffer.floats(1), 4).toFloatArray());
        ParameterVector before = theta.copy();
        Batch b = batch(5, 7, 1);
        float eps = 1e-3f;
        for (Distribution dist : Distribution.values()) {
            PerturbationStream stream = new PerturbationStream(dist, 100);
            SpsaEstimator est = new SpsaEstimator(m, stream, eps, 1);
            for (long seed = 1; seed <= 2; seed++) {
                SymmetricPerturbedLoss.Losses one = m.symmetricPerturbedLosses(theta, stream, seed, eps, b, 1);
                assertEquals(one, m.symmetricPerturbedLosses(theta, stream, seed, eps, b, 2), "thread count changed the result");
                ParameterVector scratch = new ParameterVector(theta.length());
                est.perturb(theta, scratch, seed, eps);
                double plus = m.loss(scratch, b);
                est.perturb(theta, scratch, seed, -eps);
                double minus = m.loss(scratch, b);
                assertEquals(plus, one.plus(), 1e-5 * Math.abs(plus));
                assertEquals(minus, one.minus(), 1e-5 * Math.abs(minus));
                assertNotEquals(one.plus(), one.minus());
            }
        }
        assertTrue(theta.bitEquals(before), "theta was written");
    }

    @Test
    void badBatchesAreRefused() {
        BertClassifier m = new BertClassifier(SMALL, CLASSES);
        ParameterVector theta = new ParameterVector(m.numParams());
        Batch tooLong = batch(2, SMALL.maxPositions() + 1, 1);
        assertThrows(IllegalArgumentException.class, () -> m.loss(theta, tooLong));
        Batch badLabel = new Batch(batch(2, 4, 1).inputs(), Nd4j.create(new float[] {0, 3}, new long[] {2}, 'c'));
        assertThrows(IllegalArgumentException.class, () -> m.loss(theta, badLabel));
        Batch badToken = new Batch(Nd4j.create(new float[] {1, 17}, new long[] {1, 2}, 'c'), Nd4j.create(new float[] {0}, new long[] {1}, 'c'));
        assertThrows(IllegalArgumentException.class, () -> m.loss(theta, badToken));
    }
}
