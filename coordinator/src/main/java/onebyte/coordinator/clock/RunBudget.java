package onebyte.coordinator.clock;

import java.util.Locale;

/**
 * When a run stops: after {@code rounds} rounds, or after the round at whose end the virtual
 * clock reached {@code virtualSeconds}, or after the round at whose end the cumulative bytes on
 * the wire (up + down, as in the rows' bytes_cum) reached {@code bytes}, whichever comes first.
 * The round that reaches a budget is completed and is the run's last row. 0 = that budget is not
 * set (rounds always is).
 */
public record RunBudget(long rounds, double virtualSeconds, long bytes) {
    /** What stopped a run, named by its scenario key; {@code INTERRUPTED}: SIGINT or SIGTERM ({@code RunInterrupt}), no budget. */
    public enum Stop {
        ROUNDS("budget.rounds"), VIRTUAL_SECONDS("budget.virtual-seconds"), BYTES("budget.bytes"), INTERRUPTED("interrupted");

        private final String key;

        Stop(String key) {
            this.key = key;
        }

        /** The scenario key of this budget, e.g. "budget.bytes". */
        public String key() {
            return key;
        }
    }

    public RunBudget {
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        if (!(virtualSeconds >= 0)) throw new IllegalArgumentException("virtualSeconds must be >= 0 (0 = none), got " + virtualSeconds);
        if (bytes < 0) throw new IllegalArgumentException("bytes must be >= 0 (0 = none), got " + bytes);
    }

    /**
     * The budget a run has used up once {@code roundsDone} rounds are complete, the clock reads
     * {@code virtualTimeS} and {@code bytesCum} bytes went over the wire; null = it goes on.
     * When several are reached in the same round the first of rounds, virtual seconds, bytes is named.
     */
    public Stop reached(long roundsDone, double virtualTimeS, long bytesCum) {
        if (roundsDone >= rounds) {
            return Stop.ROUNDS;
        }
        if (virtualSeconds > 0 && virtualTimeS >= virtualSeconds) {
            return Stop.VIRTUAL_SECONDS;
        }
        if (bytes > 0 && bytesCum >= bytes) {
            return Stop.BYTES;
        }
        return null;
    }

    /** "budget.bytes = 1000000 reached: 1001234 bytes after 17 rounds" style, for logs and the console. */
    public String describe(Stop stop, long roundsDone, double virtualTimeS, long bytesCum) {
        return switch (stop) {
            case ROUNDS -> String.format(Locale.ROOT, "budget.rounds = %d reached", rounds);
            case VIRTUAL_SECONDS -> String.format(Locale.ROOT, "budget.virtual-seconds = %s reached: %.3f s of virtual time after %d rounds",
                    Double.toString(virtualSeconds), virtualTimeS, roundsDone);
            case BYTES -> String.format(Locale.ROOT, "budget.bytes = %d reached: %d bytes on the wire after %d rounds", bytes, bytesCum,
                    roundsDone);
            case INTERRUPTED -> String.format(Locale.ROOT, "interrupted after %d rounds", roundsDone);
        };
    }
}
