package onebyte.coordinator.cluster;

import java.util.List;
import onebyte.proto.Commit;
import onebyte.proto.RunState;

/**
 * Where a resumed run starts on a fresh cluster: the {@link RunState} of a round boundary (the
 * model, the counters, the live members, the churn executed) and what the coordinator keeps of the
 * rounds before it, from the commit log: SPSA's commits 0 .. round − 1 (for replay syncs) and the
 * model hash after each round ({@code hashes.get(r)}: after round r).
 */
public record RestorePoint(RunState state, List<Commit> commits, List<Long> hashes) {
    public RestorePoint {
        commits = List.copyOf(commits);
        hashes = List.copyOf(hashes);
        if (hashes.size() != state.getRound()) {
            throw new IllegalArgumentException("the hashes of " + hashes.size() + " rounds for a state at round " + state.getRound());
        }
    }

    /** The first round the resumed run opens. */
    public long round() {
        return state.getRound();
    }
}
