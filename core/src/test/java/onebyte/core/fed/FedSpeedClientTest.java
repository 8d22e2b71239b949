package onebyte.core.fed;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.MinibatchSampler;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.SeedMixer;
import org.junit.jupiter.api.Test;

class FedSpeedClientTest {
    /** F(x) = ½ Σ a_j (x_j − c_j)², independent of the batch. */
    static final class Quadratic implements Model {
        final double[] a;
        final double[] c;

        Quadratic(double[] a, double[] c) {
            this.a = a;
            this.c = c;
        }

        @Override
        public int numParams() {
            return a.length;
        }

        @Override
        public List<TensorShape> tensors() {
            return List.of(new TensorShape("x", new long[] {a.length}, 0, a.length));
        }

        @Override
        public double loss(ParameterVector p, Batch b) {
            double s = 0;
            for (int j = 0; j < a.length; j++) s += 0.5 * a[j] * Math.pow(p.get(j) - c[j], 2);
            return s;
        }

        @Override
        public double accuracy(ParameterVector p, Batch b) {
            return 0;
        }

        @Override
        public double lossAndGradient(ParameterVector p, Batch b, ParameterVector g) {
            for (int j = 0; j < a.length; j++) g.set(j, (float) (a[j] * (p.get(j) - c[j])));
            return loss(p, b);
        }
    }

    private static final Dataset ONE = new InMemoryDataset(1, new float[] {0}, 1, new float[] {0}, 1);

    @Test
    void oneFedSpeedStepMatchesHandComputation() {
        // F = ½(x1² + 4·x2²), x^t = (1, 1); K = 1, η = 0.1, 1/λ = 0.1 (λ = 10), ρ = 0.1, α = 1.
        Quadratic q = new Quadratic(new double[] {1, 4}, new double[] {0, 0});
        FedSpeedParams p = new FedSpeedParams(1, 0.1, 1.0, 0.1, 0.1, 1.0, 1, true);
        FedSpeedClient client = new FedSpeedClient();
        ParameterVector xhat = client.localRound(q, ParameterVector.of(new float[] {1, 1}), ONE, p, 7);
        // g1 = (1, 4), ‖g1‖ = √17; x̆ = (1 + 0.1/√17, 1 + 0.4/√17) = (1.024254, 1.097014)
        // g2 = (1.024254, 4.388057); prox and ĝ are 0 at k = 0: x1 = x^t − 0.1·g2 = (0.897575, 0.561194)
        // ĝ = −0.1·(x1 − x^t) = (0.010243, 0.043881); x̂ = x1 − 10·ĝ = (0.795149, 0.122389)
        assertEquals(0.795149, xhat.get(0), 1e-5);
        assertEquals(0.122389, xhat.get(1), 1e-5);
        ParameterVector dual = client.dualState(2);
        assertEquals(0.010243, dual.get(0), 1e-5);
        assertEquals(0.043881, dual.get(1), 1e-5);
        assertEquals(2, client.lastGradientEvaluations());
    }

    @Test
    void secondRoundUsesTheDualAndTheProxTermAndTheAlphaMix() {
        // Same F; round 2 starts from x^t = (0.5, 0.5) with ĝ = (0.010243, 0.043881) from round 1;
        // K = 2, α = 0.5. Reference computed step by step below in double.
        Quadratic q = new Quadratic(new double[] {1, 4}, new double[] {0, 0});
        FedSpeedClient client = new FedSpeedClient();
        client.localRound(q, ParameterVector.of(new float[] {1, 1}), ONE, new FedSpeedParams(1, 0.1, 1.0, 0.1, 0.1, 1.0, 1, true), 7);
        FedSpeedParams p = new FedSpeedParams(2, 0.1, 1.0, 0.1, 0.1, 0.5, 1, true);
        ParameterVector xhat = client.localRound(q, ParameterVector.of(new float[] {0.5f, 0.5f}), ONE, p, 8);

        double[] dual = {0.0102425, 0.0438806};
        dual[0] = 0.1 * 0.1 * (1 + 0.1 / Math.sqrt(17));
        dual[1] = 0.1 * 0.1 * 4 * (1 + 0.4 / Math.sqrt(17));
        double[] xt = {0.5, 0.5};
        double[] x = xt.clone();
        for (int k = 0; k < 2; k++) {
            double g10 = x[0], g11 = 4 * x[1];
            double n = Math.hypot(g10, g11);
            double xa0 = x[0] + 0.1 * g10 / n, xa1 = x[1] + 0.1 * g11 / n;
            double gt0 = 0.5 * g10 + 0.5 * xa0, gt1 = 0.5 * g11 + 0.5 * 4 * xa1;
            double n0 = x[0] - 0.1 * (gt0 - dual[0] + 0.1 * (x[0] - xt[0]));
            double n1 = x[1] - 0.1 * (gt1 - dual[1] + 0.1 * (x[1] - xt[1]));
            x[0] = n0;
            x[1] = n1;
        }
        for (int j = 0; j < 2; j++) dual[j] -= 0.1 * (x[j] - xt[j]);
        assertEquals(x[0] - 10 * dual[0], xhat.get(0), 1e-5);
        assertEquals(x[1] - 10 * dual[1], xhat.get(1), 1e-5);
        assertEquals(4, client.lastGradientEvaluations());
    }

    @Test
    void fedAvgIsPlainLocalSgdOnTheSameMinibatches() {
        ModelSpec spec = ModelSpec.mlp(6, List.of(8), 3, "tanh");
        Model m = Models.create(spec);
        InMemoryDataset shard = new SyntheticClassification(6, 3, 0.5, 1).targetTrain(200, 1);
        ParameterVector x0 = Models.initialParameters(spec, 2);
        FedSpeedParams avg = FedSpeedParams.fedAvg(5, 0.05, 16);
        ParameterVector viaClient = new FedSpeedClient().localRound(m, x0, shard, avg, 99);
        // FedSpeed with α = 0, ρ = 0 and no correction is the same loop:
        FedSpeedParams speedAsAvg = new FedSpeedParams(5, 0.05, 1.0, 0.1, 0, 0, 16, false);
        assertTrue(viaClient.bitEquals(new FedSpeedClient().localRound(m, x0, shard, speedAsAvg, 99)));
        // ... and plain SGD written out:
        ParameterVector x = x0.copy();
        ParameterVector g = new ParameterVector(m.numParams());
        for (int k = 0; k < 5; k++) {
            Batch b = MinibatchSampler.draw(shard, 16, SeedMixer.derive(99, k));
            m.lossAndGradient(x, b, g);
            x.array().subi(g.array().muli(0.05));
        }
        assertTrue(viaClient.bitEquals(x));
        assertFalse(viaClient.bitEquals(x0));
        // the prox/dual correction changes the result
        FedSpeedParams withProx = new FedSpeedParams(5, 0.05, 1.0, 0.5, 0, 0, 16, true);
        assertFalse(viaClient.bitEquals(new FedSpeedClient().localRound(m, x0, shard, withProx, 99)));
    }

    @Test
    void serverMeanAveragesInOrder() {
        ParameterVector m = ServerMean.mean(List.of(ParameterVector.of(new float[] {1, 2, 3}), ParameterVector.of(new float[] {3, 2, -3})));
        assertArrayEquals(new float[] {2, 2, 0}, m.toArray());
        assertThrows(IllegalArgumentException.class, () -> ServerMean.mean(List.of()));
    }

    @Test
    void lrDecaysPerRound() {
        FedSpeedParams p = new FedSpeedParams(10, 0.1, 0.998, 0.1, 0.1, 1.0, 32, true);
        assertEquals(0.1 * Math.pow(0.998, 10), p.forRound(10).lr(), 1e-12);
        assertTrue(new FedSpeedParams(10, 0.1, 0.998, 0, 0, 0, 32, false).isFedAvg());
        assertFalse(p.isFedAvg());
    }
}
