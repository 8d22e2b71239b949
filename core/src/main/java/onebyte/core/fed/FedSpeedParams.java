package onebyte.core.fed;

/**
 * Client-side hyper-parameters of FedSpeed / FedAvg (SPEC §4). Their defaults are the scenario's
 * (coordinator/src/main/resources/onebyte/scenario-defaults.conf, sections fedspeed and fedavg).
 *
 * @param localSteps K, local steps per round
 * @param lr η_l for this round (see {@link #forRound})
 * @param lrDecay per-round multiplicative decay of η_l
 * @param invLambda 1/λ, weight of the prox term; λ = 1/invLambda scales the correction in x̂
 * @param rho ρ, radius of the normalised gradient-ascent perturbation (0: none)
 * @param alpha α, mix g̃ = (1−α)·g1 + α·g2 (0: g2 is not computed)
 * @param batchSize minibatch size per local step
 * @param correction whether the prox term and the dual state ĝ_i are used (FedSpeed) or not (FedAvg)
 */
public record FedSpeedParams(int localSteps, double lr, double lrDecay, double invLambda, double rho, double alpha,
        int batchSize, boolean correction) {

    public FedSpeedParams {
        if (localSteps < 1) throw new IllegalArgumentException("localSteps must be ≥ 1");
        if (!(lr > 0)) throw new IllegalArgumentException("lr must be > 0");
        if (!(lrDecay > 0)) throw new IllegalArgumentException("lrDecay must be > 0");
        if (rho < 0) throw new IllegalArgumentException("rho must be ≥ 0");
        if (alpha < 0 || alpha > 1) throw new IllegalArgumentException("alpha must be in [0, 1]");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be ≥ 1");
        if (correction && !(invLambda > 0)) throw new IllegalArgumentException("FedSpeed needs 1/λ > 0");
    }

    /** FedAvg with these steps, rate and batch size. */
    public static FedSpeedParams fedAvg(int localSteps, double lr, int batchSize) {
        return new FedSpeedParams(localSteps, lr, 1.0, 0, 0, 0, batchSize, false);
    }

    public boolean isFedAvg() {
        return !correction && alpha == 0 && rho == 0;
    }

    /** η_l · decay^round. */
    public double lrAt(long round) {
        return lr * Math.pow(lrDecay, round);
    }

    /** These parameters with η_l replaced by {@link #lrAt(long) lrAt(round)}. */
    public FedSpeedParams forRound(long round) {
        return new FedSpeedParams(localSteps, lrAt(round), lrDecay, invLambda, rho, alpha, batchSize, correction);
    }

    public FedSpeedParams withLr(double newLr) {
        return new FedSpeedParams(localSteps, newLr, lrDecay, invLambda, rho, alpha, batchSize, correction);
    }
}
