package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.spsa.ParameterVector;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
