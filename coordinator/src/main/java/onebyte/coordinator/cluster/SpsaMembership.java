package onebyte.coordinator.cluster;

import akka.actor.Address;
import com.google.protobuf.GeneratedMessage;
import java.util.List;
import onebyte.coordinator.cluster.AdmittedNode.State;
import onebyte.node.wire.Wire;
import onebyte.proto.Leave;

/**
 * The membership of an SPSA run ({@link Coordinator}): a node that misses a deadline, or that the
 * cluster reports unreachable, is counted as crashed in that round's row and left out of later
 * rounds (SUSPECT) until it is heard from again (then it takes part again, with its replica checked
 * by hash); a node removed from the cluster is gone for good. So a crash costs at most one round
 * deadline. A leaving node's crash is not counted.
 */
final class SpsaMembership extends MemberWatch<SpsaMember> {
    SpsaMembership(ClusterCoordinator<SpsaMember> run) {
        super(run, "coordinator");
    }

    @Override
    protected void removed(Address address, String why) {
        for (SpsaMember m : roster.at(address)) {
            if (m.state == State.GONE) {
                continue;
            }
            if (m.leaving) {
                ackLeave(m);
            } else {
                crashed(m, why);
                m.state = State.GONE;
            }
        }
    }

    @Override
    protected void unreachable(Address address) {
        for (SpsaMember m : roster.at(address)) {
            m.unreachable = true;
            if (m.state != State.GONE) {
                crashed(m, "unreachable");
                if (m.state != State.GONE) {
                    m.state = State.SUSPECT;
                }
            }
        }
    }

    @Override
    protected void reachable(Address address) {
        for (SpsaMember m : roster.at(address)) {
            m.unreachable = false;
            if (m.state == State.SUSPECT) {
                back(m, "reachable again");
            }
        }
    }

    @Override
    public void crashed(SpsaMember m, String why) {
        dropFromRound(m);
        if (finished()) {
            return;
        }
        if (!m.leaving) {
            countCrashOnce(m, why);
        }
        closeIfAllIn();
    }

    /** Any message from a node proves it is alive, unless the cluster still reports it unreachable. */
    @Override
    protected void heardFrom(SpsaMember m) {
        if (m.state == State.SUSPECT && !m.unreachable) {
            back(m, "is back");
        }
    }

    @Override
    protected GeneratedMessage leaveAck(SpsaMember m) {
        return Leave.newBuilder().setVersion(Wire.VERSION).setNodeId(m.id).build();
    }

    /** The restored members {@code ids} that did not come back in time: counted as crashed. */
    void neverBack(List<Integer> ids) {
        ids.forEach(this::countCrash);
    }
}
