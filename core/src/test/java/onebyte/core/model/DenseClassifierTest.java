package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class DenseClassifierTest {
    static {
        Models.limitNativeThreads(1);
    }

    private static Batch tinyBatch(int features, int classes, int n) {
        InMemoryDataset ds = new SyntheticClassification(features, classes, 0.3, 5).sourceTrain(n, 9);
        return ds.all();
    }

    /** Central differences in float64 against the hand-written backward pass. */
    private static void gradientCheck(ModelSpec spec) {
        DenseClassifier m = (DenseClassifier) Models.create(spec);
        Batch b = tinyBatch(spec.inputs(), spec.classes(), 7);
        Batch b64 = new Batch(b.inputs().castTo(DataType.DOUBLE), b.labels());
        INDArray theta = Models.initialParameters(spec, 3).array().castTo(DataType.DOUBLE);
        INDArray grad = theta.ulike();
        m.lossAndGradientAt(theta, b64, grad);
        double h = 1e-6;
        double maxErr = 0;
        for (int i = 0; i < m.numParams(); i++) {
            double orig = theta.getDouble(i);
            theta.putScalar(i, orig + h);
            double lp = m.lossAt(theta, b64);
            theta.putScalar(i, orig - h);
            double lm = m.lossAt(theta, b64);
            theta.putScalar(i, orig);
            double fd = (lp - lm) / (2 * h);
            double err = Math.abs(fd - grad.getDouble(i)) / Math.max(1e-4, Math.abs(fd) + Math.abs(grad.getDouble(i)));
            maxErr = Math.max(maxErr, err);
        }
        assertTrue(maxErr < 1e-5, spec + ": max relative gradient error " + maxErr);
    }

    @Test
    void logregGradientMatchesFiniteDifferences() {
        gradientCheck(ModelSpec.logreg(5, 3));
    }

    @Test
    void mlpReluGradientMatchesFiniteDifferences() {
        gradientCheck(ModelSpec.mlp(4, List.of(6, 5), 3, "relu"));
    }

    @Test
    void mlpTanhGradientMatchesFiniteDifferences() {
        gradientCheck(ModelSpec.mlp(4, List.of(5), 3, "tanh"));
    }

    @Test
    void float32PublicApiAgreesWithFloat64AndLeavesThetaAlone() {
        ModelSpec spec = ModelSpec.mlp(6, List.of(8), 4, "relu");
        Model m = Models.create(spec);
        ParameterVector theta = Models.initialParameters(spec, 11);
        ParameterVector before = theta.copy();
        Batch b = tinyBatch(6, 4, 32);
        ParameterVector g = new ParameterVector(m.numParams());
        double l1 = m.loss(theta, b);
        double l2 = m.lossAndGradient(theta, b, g);
        double l64 = ((DenseClassifier) m).lossAt(theta.array().castTo(DataType.DOUBLE),
                new Batch(b.inputs().castTo(DataType.DOUBLE), b.labels()));
        assertEquals(l64, l1, 1e-5);
        assertEquals(l1, l2, 1e-6);
        assertTrue(theta.bitEquals(before));
        double acc = m.accuracy(theta, b);
        assertTrue(acc >= 0 && acc <= 1);
        assertTrue(g.array().norm2Number().doubleValue() > 0);
    }

    /** Examples whose ND4J reference logits put the top class ahead of the runner-up by more than 1e-3. */
    private static int[] wellSeparated(INDArray logits) {
        return java.util.stream.IntStream.range(0, (int) logits.size(0)).filter(i -> {
            double[] row = logits.getRow(i).castTo(DataType.DOUBLE).toDoubleVector();
            java.util.Arrays.sort(row);
            return row[row.length - 1] - row[row.length - 2] > 1e-3;
        }).toArray();
    }

    private static double accuracyOf(INDArray logits, int[] labels) {
        long[] pred = logits.argMax(1).toLongVector();
        int correct = 0;
        for (int i = 0; i < labels.length; i++) if (pred[i] == labels[i]) correct++;
        return (double) correct / labels.length;
    }

    /** loss and accuracy (direct BLAS) against the ND4J forward of lossAndGradient, in float32. */
    private static void inferenceMatchesTheNd4jForward(ModelSpec spec) {
        DenseClassifier m = (DenseClassifier) Models.create(spec);
        ParameterVector theta = SymmetricPerturbedLossTest.randomTheta(m.numParams(), 21);
        ParameterVector before = theta.copy();
        for (int batchSize : new int[] {1, 2, 7, 64, 200}) {
            Batch b = new SyntheticClassification(spec.inputs(), spec.classes(), 0.5, 6).sourceTrain(batchSize, batchSize).all();
            String what = spec + " batch " + batchSize;
            INDArray refLogits = m.logitsAt(theta.array(), b);
            double refLoss = DenseClassifier.crossEntropy(refLogits, DenseClassifier.labels(b), null);
            assertEquals(refLoss, m.loss(theta, b), 1e-6 * Math.abs(refLoss), what + ": loss");
            assertEquals(m.loss(theta, b), m.lossAndGradient(theta, b, new ParameterVector(m.numParams())),
                    1e-6 * Math.abs(refLoss), what + ": lossAndGradient");
            int[] keep = wellSeparated(refLogits);
            assertTrue(keep.length >= batchSize * 0.9, what + ": too few well-separated examples, " + keep.length);
            INDArray x = b.inputs().get(NDArrayIndex.indices(toLongs(keep)), NDArrayIndex.all());
            int[] labels = DenseClassifier.labels(b);
            float[] keptLabels = new float[keep.length];
            for (int k = 0; k < keep.length; k++) keptLabels[k] = labels[keep[k]];
            INDArray y = Nd4j.createFromArray(keptLabels);
            Batch separated = new Batch(x.reshape(keep.length, spec.inputs()), y);
            double refAccuracy = accuracyOf(m.logitsAt(theta.array(), separated), DenseClassifier.labels(separated));
            assertEquals(refAccuracy, m.accuracy(theta, separated), what + ": accuracy");
        }
        assertTrue(theta.bitEquals(before), spec + ": theta was written");
    }

    private static long[] toLongs(int[] v) {
        return java.util.Arrays.stream(v).mapToLong(i -> i).toArray();
    }

    @Test
    void inferenceOfLogregAndReluAndTanhMlpsMatchesTheNd4jForward() {
        inferenceMatchesTheNd4jForward(ModelSpec.logreg(13, 5));
        inferenceMatchesTheNd4jForward(ModelSpec.mlp(9, List.of(37, 23), 4, "relu"));
        inferenceMatchesTheNd4jForward(ModelSpec.mlp(9, List.of(37, 23), 4, "tanh"));
    }

    @Test
    void accuracyIsExactOnSeparableData() {
        // logreg 3 -> 3 with W = 4·I, b = 0: the class is the largest input, which is the label by a margin of 1
        ModelSpec spec = ModelSpec.logreg(3, 3);
        Model m = Models.create(spec);
        ParameterVector theta = new ParameterVector(m.numParams());
        for (int k = 0; k < 3; k++) theta.set(k * 3 + k, 4f);
        float[][] x = new float[30][3];
        float[] y = new float[30];
        for (int i = 0; i < 30; i++) {
            int label = i % 3;
            for (int k = 0; k < 3; k++) x[i][k] = k == label ? 1.5f : 0.5f - 0.01f * i;
            y[i] = label == 2 && i % 2 == 0 ? 0 : label; // 5 of the 30 labelled wrongly
        }
        Batch b = new Batch(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
        assertEquals(25.0 / 30, m.accuracy(theta, b));
        assertEquals(1.0, m.accuracy(theta, new Batch(b.inputs().get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()),
                Nd4j.createFromArray(new float[] {0}))));
    }

    @Test
    void inferenceReadsAThetaViewAtAnOffsetAndSharesTheModelWithTheFusedPass() {
        ModelSpec spec = ModelSpec.mlp(9, List.of(37, 23), 4, "relu");
        DenseClassifier m = (DenseClassifier) Models.create(spec);
        int d = m.numParams();
        ParameterVector theta = SymmetricPerturbedLossTest.randomTheta(d, 5);
        INDArray padded = Nd4j.zeros(DataType.FLOAT, d + 11);
        padded.get(NDArrayIndex.interval(7, 7 + d)).assign(theta.array());
        ParameterVector view = new ParameterVector(padded.get(NDArrayIndex.interval(7, 7 + d)));
        Batch small = tinyBatch(9, 4, 5);
        Batch large = tinyBatch(9, 4, 48);
        double lossSmall = m.loss(theta, small);
        double lossLarge = m.loss(theta, large);
        double accuracyLarge = m.accuracy(theta, large);
        assertEquals(lossSmall, m.loss(view, small));
        var stream = new onebyte.core.perturbation.PerturbationStream(onebyte.core.perturbation.Distribution.GAUSSIAN);
        SymmetricPerturbedLoss.Losses fused = m.symmetricPerturbedLosses(theta, stream, 3L, 1e-3f, large, 1);
        assertEquals(lossLarge, m.loss(view, large));
        assertEquals(accuracyLarge, m.accuracy(theta, large));
        assertEquals(lossSmall, m.loss(theta, small));
        assertEquals(fused, m.symmetricPerturbedLosses(theta, stream, 3L, 1e-3f, large, 1));
        assertEquals(fused, ((DenseClassifier) Models.create(spec)).symmetricPerturbedLosses(theta, stream, 3L, 1e-3f, large, 1));
    }

    @Test
    void tensorsCoverTheFlatVectorInOrder() {
        Model m = Models.create(ModelSpec.mlp(3, List.of(4, 2), 5, "tanh"));
        long off = 0;
        for (Model.TensorShape t : m.tensors()) {
            assertEquals(off, t.offset());
            off += t.length();
        }
        assertEquals(m.numParams(), off);
        assertEquals(3 * 4 + 4 + 4 * 2 + 2 + 2 * 5 + 5, m.numParams());
        assertEquals("layer0.weight", m.tensors().get(0).name());
    }

    @Test
    void initialParametersAreDeterministicAndSeedDependent() {
        ModelSpec spec = ModelSpec.mlp(8, List.of(16), 3, "relu");
        assertTrue(Models.initialParameters(spec, 1).bitEquals(Models.initialParameters(spec, 1)));
        assertFalse(Models.initialParameters(spec, 1).bitEquals(Models.initialParameters(spec, 2)));
        ParameterVector t = Models.initialParameters(spec, 1);
        Model.TensorShape bias = Models.create(spec).tensors().get(1);
        for (int i = 0; i < bias.length(); i++) assertEquals(0f, t.get((int) bias.offset() + i));
        // He init: std of layer0.weight ≈ sqrt(2/8) = 0.5
        double ss = 0;
        for (int i = 0; i < 8 * 16; i++) ss += t.get(i) * t.get(i);
        assertEquals(0.5, Math.sqrt(ss / 128), 0.12);
    }
}
