package onebyte.core.fed;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sizes (L2 norms) of the terms of one client's FedSpeed round (SPEC §4), for finding out why
 * a run does what it does. Collected only while the logger {@code onebyte.core.fed.FedSpeedTrace}
 * is at DEBUG (the launcher's logback.xml sets it from {@code -Donebyte.fedspeed.trace=DEBUG});
 * otherwise {@link FedSpeedClient} computes none of these norms.
 *
 * <p>Per-step terms are means over the K local steps.
 *
 * @param dualIn ‖ĝ_i‖ at the start of the round (the −ĝ_i term of every local step)
 * @param lambdaDualOut ‖λ·ĝ_i‖ after the round's dual update: what x̂_i adds to x_K
 * @param drift ‖x_K − x^t‖, how far the K local steps went
 * @param sent ‖x̂_i − x^t‖, how far what the client sends is from x^t
 * @param g1 mean ‖g1‖ (the plain minibatch gradient)
 * @param ascent mean length of the ascent step ρ·g1/‖g1‖ (ρ, or 0 where ‖g1‖ = 0 or there is no ascent)
 * @param g2MinusG1 mean ‖g2 − g1‖, what the ascent point changes in the gradient
 * @param mixed mean ‖g̃‖, g̃ = (1−α)·g1 + α·g2
 * @param prox mean ‖(1/λ)·(x_k − x^t)‖, the prox pull
 * @param direction mean ‖g̃ − ĝ_i + (1/λ)(x_k − x^t)‖, the whole local step direction (before η_l)
 * @param lossAtStart minibatch loss at x_0 = x^t
 * @param lossAtEnd minibatch loss at x_{K−1}
 */
public record FedSpeedTrace(double dualIn, double lambdaDualOut, double drift, double sent, double g1, double ascent,
        double g2MinusG1, double mixed, double prox, double direction, double lossAtStart, double lossAtEnd) {

    private static final Logger LOG = LoggerFactory.getLogger(FedSpeedTrace.class);

    /** Whether clients collect traces (the logger is at DEBUG). */
    public static boolean enabled() {
        return LOG.isDebugEnabled();
    }

    /** Logs this trace at DEBUG under {@code who} (e.g. "node 3 round 12"). */
    public void log(String who) {
        LOG.debug("fedspeed trace {}: {}", who, this);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "|ĝ|=%.4g |λĝ'|=%.4g |x_K−x^t|=%.4g |x̂−x^t|=%.4g |g1|=%.4g ascent=%.4g |g2−g1|=%.4g |g̃|=%.4g prox=%.4g"
                        + " |dir|=%.4g loss %.4g→%.4g",
                dualIn, lambdaDualOut, drift, sent, g1, ascent, g2MinusG1, mixed, prox, direction, lossAtStart, lossAtEnd);
    }

    /** Sums per-step norms over a round and makes the trace. */
    static final class Collector {
        private double g1;
        private double ascent;
        private double g2MinusG1;
        private double mixed;
        private double prox;
        private double direction;
        private double lossAtStart = Double.NaN;
        private double lossAtEnd = Double.NaN;
        private int steps;

        void step(double loss, double g1Norm, double ascentLength, double g2MinusG1Norm, double mixedNorm, double proxNorm,
                  double directionNorm) {
            if (steps == 0) lossAtStart = loss;
            lossAtEnd = loss;
            g1 += g1Norm;
            ascent += ascentLength;
            g2MinusG1 += g2MinusG1Norm;
            mixed += mixedNorm;
            prox += proxNorm;
            direction += directionNorm;
            steps++;
        }

        FedSpeedTrace finish(double dualIn, double lambdaDualOut, double drift, double sent) {
            double k = Math.max(1, steps);
            return new FedSpeedTrace(dualIn, lambdaDualOut, drift, sent, g1 / k, ascent / k, g2MinusG1 / k, mixed / k,
                    prox / k, direction / k, lossAtStart, lossAtEnd);
        }
    }
}
