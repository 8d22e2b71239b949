package onebyte.coordinator.cluster;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import onebyte.proto.JoinRequest;
import onebyte.proto.StateMember;
import onebyte.proto.SyncMode;

/**
 * Whom a resumed coordinator admits before it opens its first round, under which node id and how
 * it syncs. Two ways, one per kind of cluster:
 *
 * <ul>
 *   <li>in order (an embedded resume, {@link #inOrder}): the launcher starts a fresh node for each
 *       restored member in node-id order; each join request takes the next id, by snapshot;
 *   <li>by rejoin (a multi-process {@code coordinator --resume}, {@link #byRejoin}): the node
 *       processes that outlived the old coordinator come back and name their node id
 *       ({@code JoinRequest.rejoin_node_id}); a restored member's id is given back once, by replay
 *       from the round its replica holds when that replica's hash is the coordinator's hash after
 *       that round, else by snapshot. Any other join waits (it is admitted as a fresh node once the
 *       run goes on). The coordinator waits at most {@link #rejoinWait} for them ({@link #giveUp}).
 * </ul>
 */
final class RestoreAdmission {
    /** A join request's admission: the node id, how it syncs, and the round a replay starts from. */
    record Claim(int nodeId, SyncMode mode, long replayFrom, String refusal) {
        static Claim refused(String why) {
            return new Claim(-1, null, 0, why);
        }
    }

    private final ArrayDeque<StateMember> inOrder = new ArrayDeque<>();
    private final Map<Integer, StateMember> awaited = new TreeMap<>();
    private final Duration rejoinWait;

    private RestoreAdmission(List<StateMember> members, Duration rejoinWait) {
        this.rejoinWait = rejoinWait;
        if (rejoinWait == null) {
            inOrder.addAll(members);
        } else {
            members.forEach(m -> awaited.put(m.getNodeId(), m));
        }
    }

    /** The restored {@code members} are started again in node-id order by the launcher (embedded). */
    static RestoreAdmission inOrder(List<StateMember> members) {
        return new RestoreAdmission(members, null);
    }

    /** The restored {@code members} come back by themselves, for at most {@code wait} (multi-process). */
    static RestoreAdmission byRejoin(List<StateMember> members, Duration wait) {
        return new RestoreAdmission(members, wait);
    }

    /** How long the coordinator waits for the members to come back; null when they are started in order. */
    Duration rejoinWait() {
        return rejoinWait;
    }

    /** Whether every restored member was admitted again. */
    boolean allBack() {
        return inOrder.isEmpty() && awaited.isEmpty();
    }

    /** The restored members that did not come back (they are not awaited any more), in node-id order. */
    List<Integer> giveUp() {
        List<Integer> gone = List.copyOf(awaited.keySet());
        awaited.clear();
        return gone;
    }

    /** What {@code c}, the claim of a returning node's {@code j}, does, for the log of a run restored at round {@code round}. */
    static String describe(Claim c, JoinRequest j, long round) {
        return "node " + c.nodeId() + " is back (" + j.getLabel() + ") with its replica of round " + j.getReplicaRound() + " (hash "
                + Long.toHexString(j.getReplicaHash()) + "): " + (c.mode() == SyncMode.SYNC_REPLAY
                ? "this coordinator's θ of that round; resyncing it by replay of " + (round - c.replayFrom()) + " commits"
                : "not this coordinator's θ of that round; resyncing it by snapshot");
    }

    /**
     * The admission of {@code j} (of node class {@code nodeClass}, resolved), while the run of seed
     * {@code runSeed} is restored at round {@code round}, the coordinator's model hash after each round
     * r − 1 being {@code hashByRound.get(r)}; a {@link Claim#refusal} when it is not one of the
     * restored members.
     */
    Claim claim(JoinRequest j, String nodeClass, long runSeed, long round, Map<Long, Long> hashByRound) {
        if (rejoinWait == null) {
            StateMember next = inOrder.poll();
            if (next == null || !next.getNodeClass().equals(nodeClass)) {
                return Claim.refused("a join while the run is restored"
                        + (next == null ? "" : ": expected node " + next.getNodeId() + " of class " + next.getNodeClass()));
            }
            return new Claim(next.getNodeId(), SyncMode.SYNC_SNAPSHOT, 0, null);
        }
        int id = j.getRejoinNodeId();
        if (id == 0 || j.getRunSeed() != runSeed) {
            return Claim.refused("a fresh node while the run's members come back (admitted once the run goes on)");
        }
        if (awaited.remove(id) == null) {
            return Claim.refused("node " + id + " is not a member the restored run waits for");
        }
        Long mine = j.getReplicaRound() <= round ? hashByRound.get(j.getReplicaRound()) : null;
        if (mine != null && mine == j.getReplicaHash()) {
            return new Claim(id, SyncMode.SYNC_REPLAY, j.getReplicaRound(), null);
        }
        return new Claim(id, SyncMode.SYNC_SNAPSHOT, 0, null);
    }
}
