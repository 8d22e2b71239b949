package onebyte.coordinator.resume;

import java.nio.file.Path;
import java.util.function.Supplier;
import onebyte.coordinator.cluster.ChurnDriver;
import onebyte.coordinator.cluster.RunInterrupt;
import onebyte.coordinator.cluster.RunListener;
import onebyte.proto.RunState;
import onebyte.proto.StateMember;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves the state of a running algorithm every {@code every} rounds ({@code run.checkpoint-every}):
 * at the first clean round boundary at or after each multiple of {@code every} (the coordinator
 * reports clean boundaries, {@link RunListener#atBoundary}), the coordinator's part and the churn
 * driver's (events executed, each node's shard) go to a {@link StateFiles} file. Registered after
 * the {@link RunLogWriter}, so the commit-log record of the round before a state is always on disk
 * before the state. {@code every} = 0: never. When Ctrl-C or SIGTERM stops the run
 * ({@link RunInterrupt}), the boundary it stops at is saved too, so its resume runs nothing again.
 */
public final class StateWriter implements RunListener {
    private static final Logger LOG = LoggerFactory.getLogger(StateWriter.class);

    private final Path runDir;
    private final String version;
    private final long every;
    private final ChurnDriver churn;
    private long nextDue;

    /** Saves states of the run in {@code runDir} written by onebyte {@code version}, going on from round {@code firstRound}. */
    public StateWriter(Path runDir, String version, long every, ChurnDriver churn, long firstRound) {
        this.runDir = runDir;
        this.version = version;
        this.every = every;
        this.churn = churn;
        this.nextDue = every <= 0 ? Long.MAX_VALUE : (firstRound / every + 1) * every;
    }

    /** Ctrl-C or SIGTERM: the run ends after this round, and a state of it makes the resume start right here. */
    private static boolean stoppedBySignal() {
        String signal = RunInterrupt.signal();
        return "SIGINT".equals(signal) || "SIGTERM".equals(signal);
    }

    @Override
    public void atBoundary(long nextRound, Supplier<RunState.Builder> state) {
        if (every <= 0 || nextRound < nextDue && !stoppedBySignal()) {
            return;
        }
        long t0 = System.nanoTime();
        RunState.Builder b = state.get().setFormatVersion(StateFiles.FORMAT_VERSION).setOnebyteVersion(version)
                .addAllChurnExecuted(churn.executed()).putAllNodeOfShard(churn.nodeOfShard());
        for (int i = 0; i < b.getMembersCount(); i++) {
            StateMember m = b.getMembers(i);
            if (churn.removed(m.getNodeId())) {
                return; // crashed or told to leave by the churn, and the coordinator does not know yet: not restorable
            }
            if (m.getShard() == 0) { // SPSA's coordinator does not know shards; the churn driver started the nodes on them
                b.setMembers(i, m.toBuilder().setShard(churn.shardOf(m.getNodeId())));
            }
        }
        Path file = StateFiles.write(runDir, b.build());
        nextDue = (nextRound / every + 1) * every;
        LOG.info("saved the state before round {} in {} ({} ms)", nextRound, file.getFileName(), (System.nanoTime() - t0) / 1_000_000);
    }
}
