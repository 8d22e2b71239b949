package onebyte.coordinator.clock;

import java.util.Arrays;
import java.util.Locale;
import onebyte.core.data.Batch;
import onebyte.core.model.Model;
import onebyte.core.perturbation.Distribution;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.node.engine.Workload;

/**
 * Measures the unit costs of {@link VirtualClock.WorkCosts} (for {@code clock.costs = measured};
 * scenarios fix them by default), once per run, on the calling thread, on the run's own model and data: one forward pass (loss) over a minibatch, one gradient pass
 * (loss and gradient) over a minibatch, and one generated direction element (accumulated into a
 * buffer, as the fused SPSA update does). Each cost is the median of 7 timings of a batch of
 * calls after a warm-up, so a single hiccup of a loaded machine does not set the clock.
 * Every algorithm of a comparison gets the same costs, so their virtual times are comparable.
 */
public final class WorkCalibration {
    private WorkCalibration() {}

    /**
     * @param forwardBatch minibatch size of a forward pass (SPSA's batch size)
     * @param gradientBatch minibatch size of a gradient pass (the federated batch size)
     */
    public static VirtualClock.WorkCosts measure(Workload w, int forwardBatch, int gradientBatch, Distribution distribution,
                                                 int chunkSize) {
        Model m = w.newModel();
        ParameterVector theta = w.initialParameters();
        Batch fb = w.draw(w.evalSet(), forwardBatch, 1);
        Batch gb = w.draw(w.evalSet(), gradientBatch, 2);
        ParameterVector g = new ParameterVector(theta.length());
        double forward = median(10, () -> m.loss(theta, fb));
        double gradient = median(10, () -> m.lossAndGradient(theta, gb, g));
        PerturbationStream z = new PerturbationStream(distribution, chunkSize);
        int d = theta.length();
        float[] acc = new float[Math.min(d, chunkSize)];
        long[] seed = {0};
        double perVector = median(5, () -> {
            for (int c = 0; c < z.chunks(d); c++) {
                z.accumulateChunk(++seed[0], c, acc, z.chunkLength(d, c), 1e-3f);
            }
        });
        return new VirtualClock.WorkCosts(forward, gradient, perVector / d);
    }

    /** Seconds per call: median over 7 timings of {@code calls} calls, after {@code calls} warm-up calls. */
    private static double median(int calls, Runnable r) {
        for (int i = 0; i < calls; i++) {
            r.run();
        }
        double[] t = new double[7];
        for (int k = 0; k < t.length; k++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                r.run();
            }
            t[k] = (System.nanoTime() - t0) / 1e9 / calls;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }

    public static String describe(VirtualClock.WorkCosts c) {
        return String.format(Locale.ROOT, "%.1f µs per forward pass, %.1f µs per gradient pass, %.2f ns per direction element",
                c.secondsPerForward() * 1e6, c.secondsPerGradient() * 1e6, c.secondsPerGeneratedElement() * 1e9);
    }
}
