package onebyte.coordinator.fed;

import com.google.protobuf.ByteString;
import java.util.Collection;
import java.util.Map;
import onebyte.coordinator.cluster.AdmittedNode.State;
import onebyte.coordinator.cluster.RunStart;
import onebyte.coordinator.cluster.RunTotals;
import onebyte.core.fed.FedSpeedServer;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.wire.Wire;
import onebyte.proto.NodeVector;
import onebyte.proto.RunState;
import onebyte.proto.StateMember;

/**
 * What a federated coordinator saves of a round boundary in a {@link RunState} and takes back
 * from one: x^t, the clock and counters, the live members with their shards, classes and ĝ_i (as
 * the nodes reported them after their last local round), and the server's duals h_i.
 */
final class FedRestore {
    private FedRestore() {}

    /**
     * Whether the run can be restored from a state of this moment: no node is joining or leaving,
     * and every node still up is ACTIVE and not reported lost (a member the cluster lost while it
     * was not a participant stays in M_t until a round samples it: not restorable); members
     * counted as crashed (SUSPECT) are left out of the restored run.
     */
    static boolean clean(Collection<FedMember> members, boolean noDeferredJoins) {
        if (!noDeferredJoins) {
            return false;
        }
        for (FedMember m : members) {
            boolean ok = m.state == State.GONE || m.state == State.SUSPECT && m.crashCounted
                    || m.state == State.ACTIVE && !m.leaving && !m.unreachable && !m.removed && m.assembly == null;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static RunState.Builder state(String algorithm, long next, ParameterVector x, long hash, RunTotals totals,
                                  RunStart start, int nextNodeId, Collection<FedMember> members, FedSpeedServer server,
                                  Map<Integer, float[]> nodeDuals) {
        RunState.Builder b = RunState.newBuilder().setAlgorithm(algorithm).setRound(next).setModel(bytes(x.toArray()))
                .setModelHash(hash).setVirtualTimeS(totals.virtualSeconds())
                .setBytesCum(totals.bytes()).setForwardPassesCum(totals.passes())
                .setInitialLoss(start.initialLoss()).setInitialAccuracy(start.initialAccuracy()).setNextNodeId(nextNodeId);
        for (FedMember m : members) {
            if (m.state == State.ACTIVE) {
                StateMember.Builder sm = StateMember.newBuilder().setNodeId(m.id).setShard(m.shard).setNodeClass(m.nodeClass);
                float[] dual = nodeDuals.get(m.id);
                if (dual != null) {
                    sm.setLocalState(bytes(dual));
                }
                b.addMembers(sm);
            }
        }
        for (int id : new java.util.TreeSet<>(server.clientsWithDuals())) {
            b.addServerDuals(NodeVector.newBuilder().setNodeId(id).setValues(bytes(server.dualOf(id, x.length()).toArray())));
        }
        return b;
    }

    /** x^t of a state, checked against its hash. */
    static ParameterVector model(RunState st, int d) {
        ParameterVector x = ParameterVector.of(floats(st.getModel(), d, "the model"));
        if (Wire.hash8(x.hash()) != st.getModelHash()) {
            throw new IllegalStateException("the restored model of round " + st.getRound() + " does not match its hash");
        }
        return x;
    }

    /** The server's duals of a state. */
    static void serverDuals(RunState st, FedSpeedServer server, int d) {
        for (NodeVector v : st.getServerDualsList()) {
            server.restoreDual(v.getNodeId(), ParameterVector.of(floats(v.getValues(), d, "the dual of node " + v.getNodeId())));
        }
    }

    private static ByteString bytes(float[] v) {
        return ByteString.copyFrom(Wire.floatsToBytes(v, 0, v.length));
    }

    private static float[] floats(ByteString b, int d, String what) {
        if (b.size() != 4L * d) {
            throw new IllegalStateException(what + " has " + b.size() / 4 + " values, the run " + d);
        }
        float[] v = new float[d];
        Wire.bytesToFloats(b.toByteArray(), v, 0);
        return v;
    }
}
