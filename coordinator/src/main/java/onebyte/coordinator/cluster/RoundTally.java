package onebyte.coordinator.cluster;

/**
 * What one round adds to the clock and the rows, taken when it closes: its bytes (nodes counted
 * as crashed left out), forward or gradient passes, the contributors' train loss, its virtual
 * seconds, the slowest contributor's measured compute seconds, and the membership changes
 * counted in it.
 */
public record RoundTally(long up, long down, long passes, double lossSum, int lossCount, double seconds,
                         double slowestCompute, int joined, int left, int crashed) {
    /** The mean train loss of the contributors, NaN when none reported one. */
    public double trainLoss() {
        return lossCount == 0 ? Double.NaN : lossSum / lossCount;
    }

    /**
     * The tally of the round in progress: membership changes as they happen, the rest when the
     * round closes ({@link #close} starts the next round's).
     */
    public static final class Counting {
        private long up;
        private long down;
        private long passes;
        private double lossSum;
        private int lossCount;
        private double slowestCompute;
        private int joined;
        private int left;
        private int crashed;

        public void joined(int n) {
            joined += n;
        }

        public void left() {
            left++;
        }

        public void crashed() {
            crashed++;
        }

        /**
         * A node's bytes of the round: in the row, or under "crashed:up" / "crashed:down" of
         * {@code ledger} when it is counted as crashed and did not contribute.
         */
        public void bytes(AdmittedNode m, boolean contributed, TrafficLedger ledger) {
            if (m.crashCounted && !contributed) {
                ledger.crashed(m);
            } else {
                up += m.up;
                down += m.down;
            }
        }

        public void passes(long n) {
            passes += n;
        }

        /** A contributor's train loss. */
        public void loss(double loss) {
            lossSum += loss;
            lossCount++;
        }

        /** A contributor's measured compute seconds (the slowest is kept). */
        public void compute(double seconds) {
            slowestCompute = Math.max(slowestCompute, seconds);
        }

        /** The round's tally with its virtual {@code seconds}; counting starts again from zero. */
        public RoundTally close(double seconds) {
            RoundTally t = new RoundTally(up, down, passes, lossSum, lossCount, seconds, slowestCompute, joined, left, crashed);
            up = 0;
            down = 0;
            passes = 0;
            lossSum = 0;
            lossCount = 0;
            slowestCompute = 0;
            joined = 0;
            left = 0;
            crashed = 0;
            return t;
        }
    }
}
