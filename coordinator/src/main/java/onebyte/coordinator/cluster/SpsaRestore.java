package onebyte.coordinator.cluster;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import onebyte.coordinator.cluster.AdmittedNode.State;
import onebyte.core.algorithm.Algorithm;
import onebyte.node.wire.Wire;
import onebyte.proto.RunState;
import onebyte.proto.StateMember;

/**
 * What an SPSA coordinator saves of a clean round boundary in a {@link RunState} ({@link #clean},
 * {@link #state}), and how a resumed run comes back from one: θ, the commit log and the hashes
 * into the {@link CoordinatorReplica}, the restored members admitted again by a
 * {@link RestoreAdmission} (in order, or by rejoin for at most its wait), then the round of the
 * restore point opens with the restore's traffic left out of the rows.
 */
final class SpsaRestore {
    private final RestorePoint point;
    private final RestoreAdmission admission;

    /** A run resumed from {@code point}; its members come back by themselves within {@code rejoinWait}, or in order when it is null. */
    SpsaRestore(RestorePoint point, Duration rejoinWait) {
        this.point = point;
        List<StateMember> members = point.state().getMembersList();
        this.admission = rejoinWait == null ? RestoreAdmission.inOrder(members) : RestoreAdmission.byRejoin(members, rejoinWait);
    }

    RestoreAdmission admission() {
        return admission;
    }

    RunState state() {
        return point.state();
    }

    /** The round the resumed run opens with. */
    long round() {
        return point.round();
    }

    /** θ, the commit log and the hashes of the restore point into {@code replica} (which holds θ_0). */
    void restore(CoordinatorReplica replica) {
        replica.restore(point.state(), point.commits(), point.hashes());
    }

    /** The restored members' node ids, for the log. */
    List<Integer> memberIds() {
        return point.state().getMembersList().stream().map(StateMember::getNodeId).toList();
    }

    /** Whether the resumed run, not yet started, can open: every restored member came back (or is given up) and none is syncing. */
    boolean complete(Collection<SpsaMember> members) {
        return admission.allBack() && members.stream().noneMatch(n -> n.state == State.SYNCING);
    }

    /**
     * Before the restored round opens: the members' telemetry of the restore is dropped, and each
     * reports, with its first round, the direction elements of the commit before the restore point
     * (every restored member applied it as an ACTIVE node: a clean boundary).
     */
    void carry(Collection<SpsaMember> members, CoordinatorReplica replica) {
        long carry = (long) replica.commit(point.round() - 1).getN() * replica.theta().length();
        for (SpsaMember m : members) {
            m.resetRound();
            m.generatedCarry = carry;
        }
    }

    /**
     * Whether every node still up took part in the round just closed (its member set
     * {@code memberSet}, its {@code contributors}: so each applied its commit and has reported all
     * its work) and none is joining, syncing or leaving ({@code admissionIdle}): then the run can
     * be restored from θ, the counters and the member list alone. Members counted as crashed
     * (SUSPECT after a crash) are left out of the restored run.
     */
    static boolean clean(Collection<SpsaMember> members, Set<Integer> memberSet, Set<Integer> contributors, boolean admissionIdle) {
        if (!admissionIdle) {
            return false;
        }
        for (SpsaMember m : members) {
            boolean clean = m.state == State.GONE || m.state == State.SUSPECT && m.crashCounted
                    || m.state == State.ACTIVE && !m.leaving && memberSet.contains(m.id) && contributors.contains(m.id);
            if (!clean) {
                return false;
            }
        }
        return true;
    }

    /** The coordinator's part of the state before round {@code next}, θ hashing to {@code hash} (shards and churn are the churn driver's). */
    static RunState.Builder state(long next, float[] theta, long hash, RunTotals totals, RunStart start, int nextNodeId,
                                  Collection<SpsaMember> members) {
        RunState.Builder b = RunState.newBuilder().setAlgorithm(Algorithm.SPSA.id()).setRound(next)
                .setModel(ByteString.copyFrom(Wire.floatsToBytes(theta, 0, theta.length))).setModelHash(hash)
                .setVirtualTimeS(totals.virtualSeconds()).setBytesCum(totals.bytes()).setForwardPassesCum(totals.passes())
                .setInitialLoss(start.initialLoss()).setInitialAccuracy(start.initialAccuracy()).setNextNodeId(nextNodeId);
        for (SpsaMember m : members) {
            if (m.state == State.ACTIVE) {
                b.addMembers(StateMember.newBuilder().setNodeId(m.id).setNodeClass(m.nodeClass));
            }
        }
        return b;
    }
}
