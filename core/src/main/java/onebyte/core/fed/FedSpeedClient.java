package onebyte.core.fed;

import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.data.MinibatchSampler;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.SeedMixer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One client's local FedSpeed (or FedAvg) computation, SPEC §4. Holds the client's dual /
 * prox-correction state ĝ_i, which starts at 0 and lives as long as this object (a client that
 * leaves loses it: make a new instance when it rejoins).
 *
 * <p>For k = 0..K−1, on minibatch ξ_k drawn by {@link MinibatchSampler} with seed
 * {@code SeedMixer.derive(seed, k)}:
 *
 * <pre>
 *   g1 = ∇F(x_k; ξ_k)
 *   x̆  = x_k + ρ·g1/‖g1‖              (x̆ = x_k when ‖g1‖ = 0)
 *   g2 = ∇F(x̆; ξ_k)                    (only computed when α &gt; 0 and ρ &gt; 0; else g2 = g1)
 *   g̃  = (1−α)·g1 + α·g2
 *   x_{k+1} = x_k − η_l·(g̃ − ĝ_i + (1/λ)·(x_k − x^t))     (FedAvg: x_k − η_l·g̃)
 * </pre>
 *
 * then ĝ_i ← ĝ_i − (1/λ)·(x_K − x^t) and the result is x̂_i = x_K − λ·ĝ_i (FedAvg: x_K). All vector
 * arithmetic is float32 ND4J in this fixed order, so the same inputs give the same bits.
 */
public final class FedSpeedClient {
    private ParameterVector dual; // ĝ_i, null = 0
    private double lastMeanLoss = Double.NaN;
    private int lastGradientEvaluations;
    private FedSpeedTrace lastTrace;
    // Work vectors of length d, kept across rounds: a 1.9M-parameter model would otherwise leave
    // ~17 dead 7.5 MB off-heap arrays per round for the garbage collector to find.
    private ParameterVector g1, g2, xa, scratch;

    /** Runs one round of local steps from x^t = {@code xGlobal} (not modified) and returns x̂_i (a new vector). */
    public ParameterVector localRound(Model model, ParameterVector xGlobal, Dataset shard, FedSpeedParams p, long seed) {
        int d = model.numParams();
        if (xGlobal.length() != d) throw new IllegalArgumentException("x^t has " + xGlobal.length() + " elements, model " + d);
        boolean useCorrection = p.correction();
        if (useCorrection && dual == null) dual = new ParameterVector(d);
        boolean ascent = p.alpha() > 0 && p.rho() > 0;
        lastTrace = null;
        if (g1 == null || g1.length() != d) {
            g1 = new ParameterVector(d);
            scratch = new ParameterVector(d);
            g2 = null;
            xa = null;
        }
        if (ascent && g2 == null) { // the second gradient and the ascent point: FedSpeed only
            g2 = new ParameterVector(d);
            xa = new ParameterVector(d);
        }
        ParameterVector x = xGlobal.copy();
        INDArray xt = xGlobal.array();
        INDArray xk = x.array();
        INDArray tmp = scratch.array();
        FedSpeedTrace.Collector trace = FedSpeedTrace.enabled() ? new FedSpeedTrace.Collector() : null;
        double dualIn = trace != null && dual != null ? norm(dual.array()) : 0;
        double lossSum = 0;
        int grads = 0;
        for (int k = 0; k < p.localSteps(); k++) {
            Batch batch = MinibatchSampler.draw(shard, p.batchSize(), SeedMixer.derive(seed, k));
            double loss = model.lossAndGradient(x, batch, g1);
            lossSum += loss;
            grads++;
            double g1Norm = trace != null || ascent ? norm(g1.array()) : 0;
            double ascentLength = 0;
            double g2MinusG1 = 0;
            INDArray step; // g̃, built in g1's or g2's buffer
            if (ascent) {
                xa.copyFrom(x);
                if (g1Norm > 0) {
                    xa.array().addi(tmp.assign(g1.array()).muli(p.rho() / g1Norm));
                    ascentLength = p.rho();
                }
                model.lossAndGradient(xa, batch, g2);
                grads++;
                if (trace != null) g2MinusG1 = norm(tmp.assign(g2.array()).subi(g1.array()));
                step = p.alpha() == 1.0 ? g2.array() : g1.array().muli(1.0 - p.alpha()).addi(g2.array().muli(p.alpha()));
            } else {
                step = g1.array();
            }
            double mixed = trace != null ? norm(step) : 0;
            double prox = 0;
            if (useCorrection) {
                // g̃ − ĝ_i + (1/λ)(x_k − x^t)
                tmp.assign(xk).subi(xt).muli(p.invLambda());
                if (trace != null) prox = norm(tmp);
                step.subi(dual.array()).addi(tmp);
            }
            if (trace != null) trace.step(loss, g1Norm, ascentLength, g2MinusG1, mixed, prox, norm(step));
            xk.subi(step.muli(p.lr()));
        }
        lastMeanLoss = lossSum / p.localSteps();
        lastGradientEvaluations = grads;
        double drift = trace != null ? norm(tmp.assign(xk).subi(xt)) : 0;
        if (useCorrection) {
            dual.array().subi(tmp.assign(xk).subi(xt).muli(p.invLambda()));
            tmp.assign(dual.array()).muli(1.0 / p.invLambda());
            double lambdaDualOut = trace != null ? norm(tmp) : 0;
            xk.subi(tmp);
            if (trace != null) lastTrace = trace.finish(dualIn, lambdaDualOut, drift, norm(tmp.assign(xk).subi(xt)));
        } else if (trace != null) {
            lastTrace = trace.finish(0, 0, drift, drift);
        }
        return x;
    }

    private static double norm(INDArray a) {
        return a.norm2Number().doubleValue();
    }

    /** The sizes of the last round's terms, or null when tracing was off ({@link FedSpeedTrace#enabled()}). */
    public FedSpeedTrace lastTrace() {
        return lastTrace;
    }

    /** ĝ_i (a copy; zeros before the first FedSpeed round). */
    public ParameterVector dualState(int d) {
        return dual == null ? new ParameterVector(d) : dual.copy();
    }

    /** Sets ĝ_i to a copy of {@code saved} (a resumed run: the {@link #dualState} it had then). */
    public void restoreDual(ParameterVector saved) {
        dual = saved.copy();
    }

    /** Forgets ĝ_i (as a client that left and came back). */
    public void reset() {
        dual = null;
    }

    /** Mean minibatch loss at the points x_k of the last round (before each step). */
    public double lastMeanLoss() {
        return lastMeanLoss;
    }

    /** Gradient evaluations (backward passes) of the last round: K for FedAvg, 2K for FedSpeed. */
    public int lastGradientEvaluations() {
        return lastGradientEvaluations;
    }
}
