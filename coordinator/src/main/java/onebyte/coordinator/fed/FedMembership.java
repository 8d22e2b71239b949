package onebyte.coordinator.fed;

import akka.actor.Address;
import com.google.protobuf.GeneratedMessage;
import onebyte.coordinator.cluster.AdmittedNode.State;
import onebyte.coordinator.cluster.ClusterCoordinator;
import onebyte.coordinator.cluster.MemberWatch;
import onebyte.node.wire.Wire;
import onebyte.proto.FedLeave;

/**
 * The membership of a federated run ({@link FedCoordinator}). What the coordinator knows of a
 * crash comes from the rounds, not from when Akka's failure detector happens to speak: a member the
 * cluster reports unreachable or removed while it is not an open round's participant stays in M_t
 * and is counted as crashed in the first round that samples it ({@link #lostBefore}; it is not sent
 * anything then). So the rows (members, crashed, virtual time) are the same in every run of a
 * scenario whatever the wall-clock timing; with participation 1 that is the round of the crash. A
 * participant the cluster loses is dropped from the round at once; one that missed the deadline is
 * counted as crashed and left out (SUSPECT) until it is heard from again. A node still building its
 * shard has its leave acknowledged once it is ready.
 */
final class FedMembership extends MemberWatch<FedMember> {
    FedMembership(ClusterCoordinator<FedMember> run) {
        super(run, "fed coordinator");
    }

    @Override
    protected void removed(Address address, String why) {
        lost(address, why, true);
    }

    @Override
    protected void unreachable(Address address) {
        lost(address, "unreachable", false);
    }

    @Override
    protected void reachable(Address address) {
        for (FedMember mb : roster.at(address)) {
            mb.unreachable = false;
        }
    }

    private void lost(Address address, String why, boolean forGood) {
        if (finished()) {
            return; // the cluster shutting down after the run
        }
        for (FedMember m : roster.at(address)) {
            if (m.state == State.GONE) {
                continue;
            }
            if (m.leaving) {
                if (forGood) {
                    ackLeave(m);
                }
                continue;
            }
            if (m.state == State.ACTIVE && !waitedFor(m)) {
                // not waited for now: the coordinator learns of it when a round samples it
                m.unreachable = true;
                m.removed |= forGood;
                log.info("fed coordinator: node {} {}; counted when a round next asks it to take part", m.id, why);
                continue;
            }
            crashed(m, why);
            if (!finished()) {
                closeIfAllIn();
            }
            m.state = forGood ? State.GONE : State.SUSPECT;
        }
    }

    /**
     * Whether {@code m}, sampled for round {@code r}, is one the cluster reported lost meanwhile:
     * then it is counted as crashed now (SUSPECT, or GONE when removed) and sent nothing.
     */
    boolean lostBefore(FedMember m, long r) {
        if (!m.unreachable && !m.removed) {
            return false;
        }
        crashed(m, m.removed ? "removed by the cluster before round " + r : "unreachable before round " + r);
        m.state = m.removed ? State.GONE : State.SUSPECT;
        return true;
    }

    /** Drops a node from the open round and counts its crash (once until it is heard from again). */
    @Override
    public void crashed(FedMember m, String why) {
        dropFromRound(m);
        m.assembly = null;
        if (finished()) {
            return;
        }
        countCrashOnce(m, why);
    }

    /** Any message from a node proves it is alive. */
    @Override
    protected void heardFrom(FedMember m) {
        if (m.state == State.SUSPECT) {
            back(m, "is back");
        }
        m.unreachable = false; // it was just heard from
    }

    /** A leave proves the node is alive. */
    @Override
    protected FedMember leaver(int nodeId, GeneratedMessage l) {
        return known(nodeId, l);
    }

    @Override
    protected boolean acksLeaveAtOnce(FedMember m) {
        return m.state != State.BUILDING;
    }

    @Override
    protected GeneratedMessage leaveAck(FedMember m) {
        return FedLeave.newBuilder().setVersion(Wire.VERSION).setNodeId(m.id).build();
    }
}
