package onebyte.coordinator.cluster;

import com.google.protobuf.ByteString;
import com.google.protobuf.GeneratedMessage;
import java.util.List;
import java.util.Random;
import onebyte.node.fed.FedChunks;
import onebyte.node.wire.Wire;
import onebyte.proto.Admit;
import onebyte.proto.Commit;
import onebyte.proto.CommitLogChunk;
import onebyte.proto.CommitLogRequest;
import onebyte.proto.Contribution;
import onebyte.proto.FedAdmit;
import onebyte.proto.FedDone;
import onebyte.proto.FedJoin;
import onebyte.proto.FedLeave;
import onebyte.proto.FedModelChunk;
import onebyte.proto.FedReady;
import onebyte.proto.FedRoundOpen;
import onebyte.proto.FedRunComplete;
import onebyte.proto.JoinRefused;
import onebyte.proto.JoinRequest;
import onebyte.proto.Leave;
import onebyte.proto.MetricsReport;
import onebyte.proto.RoundOpen;
import onebyte.proto.RunComplete;
import onebyte.proto.SnapshotChunk;
import onebyte.proto.SnapshotRequest;
import onebyte.proto.SyncDone;
import onebyte.proto.SyncMode;

/**
 * A plausible message of every wire type (wire.proto and federated.proto) for the state of a
 * live run: the current round, the fuzzer's own node id (a node admitted but never synced, so in
 * no round), the real nodes' ids, d, S and the code width, and the commits and admission the
 * fuzzer received. Requests a node may make for itself (leave, snapshot, log, ready) name a real
 * node instead: from the fuzzer they are forgeries; the rest name the fuzzer, for a round it is
 * not in.
 */
final class WireTemplates {
    /** Every wire type; the ones nodes send first. */
    static final List<Class<? extends GeneratedMessage>> TYPES = List.of(JoinRequest.class, SyncDone.class, Contribution.class,
            SnapshotRequest.class, CommitLogRequest.class, Leave.class, MetricsReport.class, FedJoin.class, FedReady.class,
            FedModelChunk.class, FedDone.class, FedLeave.class,
            Admit.class, JoinRefused.class, RoundOpen.class, Commit.class, SnapshotChunk.class, CommitLogChunk.class, RunComplete.class,
            FedAdmit.class, FedRoundOpen.class, FedRunComplete.class);

    /** The live state the templates are made for. */
    record State(long round, int fuzzerId, List<Integer> realIds, String realNodeRef, int numParams, int samples, int codeWidth,
                 List<Commit> commits, Admit admit, FedAdmit fedAdmit) {}

    private WireTemplates() {}

    /** Whether nodes send this type (else the coordinator does). */
    static boolean fromNodes(Class<?> type) {
        return TYPES.indexOf(type) < 12;
    }

    static GeneratedMessage of(Class<? extends GeneratedMessage> type, State s, Random rnd) {
        long r = Math.max(0, s.round());
        int me = s.fuzzerId();
        int real = s.realIds().get(rnd.nextInt(s.realIds().size()));
        int v = Wire.VERSION;
        String name = type.getSimpleName();
        return switch (name) {
            case "JoinRequest" -> JoinRequest.newBuilder().setVersion(v).setNodeRef(s.realNodeRef()).setSync(SyncMode.SYNC_SNAPSHOT)
                    .setLabel("fuzz").build();
            case "SyncDone" -> SyncDone.newBuilder().setVersion(v).setNodeId(me).setRound(r).setSync(SyncMode.SYNC_REPLAY)
                    .setBytes(100).setSeconds(0.5).setReplicaHash(rnd.nextLong()).build();
            case "Contribution" -> Contribution.newBuilder().setVersion(v).setRound(r).setNodeId(me).setSample(rnd.nextInt(s.samples()))
                    .setCode(ByteString.copyFrom(bytes(rnd, s.codeWidth()))).setReplicaHash(rnd.nextInt()).build();
            case "SnapshotRequest" -> SnapshotRequest.newBuilder().setVersion(v).setNodeId(real).build();
            case "CommitLogRequest" -> CommitLogRequest.newBuilder().setVersion(v).setNodeId(real).setFromRound(0).setToRound(r).build();
            case "Leave" -> Leave.newBuilder().setVersion(v).setNodeId(real).build();
            case "MetricsReport" -> MetricsReport.newBuilder().setVersion(v).setNodeId(me).setRound(r).setComputeSeconds(0.01)
                    .setForwardPasses(2L * s.samples()).setTrainLoss(0.7).setApplySeconds(0.001).setGeneratedElements(s.numParams()).build();
            case "FedJoin" -> FedJoin.newBuilder().setVersion(v).setNodeRef(s.realNodeRef()).setShard(real).setLabel("fuzz").build();
            case "FedReady" -> FedReady.newBuilder().setVersion(v).setNodeId(real).build();
            case "FedModelChunk" -> FedModelChunk.newBuilder().setVersion(v).setRound(r).setNodeId(me).setIndex(0)
                    .setCount(FedChunks.count(s.numParams())).setData(ByteString.copyFrom(bytes(rnd, 4 * FedChunks.length(s.numParams(), 0))))
                    .build();
            case "FedDone" -> FedDone.newBuilder().setVersion(v).setRound(r).setNodeId(me).setTrainLoss(0.7).setGradientPasses(6)
                    .setComputeSeconds(0.1).build();
            case "FedLeave" -> FedLeave.newBuilder().setVersion(v).setNodeId(real).build();
            case "Admit" -> s.admit() != null ? s.admit().toBuilder().setNodeId(real).build()
                    : Admit.newBuilder().setVersion(v).setNodeId(real).setFirstRound(r).setSync(SyncMode.SYNC_SNAPSHOT).build();
            case "JoinRefused" -> JoinRefused.newBuilder().setVersion(v).setReason("fuzz").build();
            case "RoundOpen" -> RoundOpen.newBuilder().setVersion(v).setRound(r + 1).addAllMembers(s.realIds()).setDeadlineMs(5000).build();
            case "Commit" -> s.commits().isEmpty()
                    ? Commit.newBuilder().setVersion(v).setRound(r).addNodeIds(real).addSamples(0)
                            .setCodes(ByteString.copyFrom(bytes(rnd, s.codeWidth()))).setN(1).setLr(0.05).build()
                    : s.commits().get(rnd.nextInt(s.commits().size()));
            case "SnapshotChunk" -> SnapshotChunk.newBuilder().setVersion(v).setRound(r).setOffset(0).setTotal(s.numParams())
                    .setData(ByteString.copyFrom(bytes(rnd, 4 * Math.min(s.numParams(), 64)))).setLast(true).setReplicaHash(rnd.nextLong())
                    .build();
            case "CommitLogChunk" -> CommitLogChunk.newBuilder().setVersion(v)
                    .addAllCommits(s.commits().subList(0, Math.min(3, s.commits().size()))).setLast(true).build();
            case "RunComplete" -> RunComplete.newBuilder().setVersion(v).setRounds(r).setFinalHash(rnd.nextLong()).build();
            case "FedAdmit" -> s.fedAdmit() != null ? s.fedAdmit().toBuilder().setNodeId(real).setShard(real).build()
                    : FedAdmit.newBuilder().setVersion(v).setNodeId(real).setShard(real).build();
            case "FedRoundOpen" -> FedRoundOpen.newBuilder().setVersion(v).setRound(r + 1).setNodeId(real).setLr(0.05)
                    .setChunks(FedChunks.count(s.numParams())).setNumParams(s.numParams()).setDeadlineMs(20000).build();
            case "FedRunComplete" -> FedRunComplete.newBuilder().setVersion(v).setRounds(r).build();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * Whether {@code m}, from the fuzzer to the coordinator, would be a request the fuzzer may make
     * for itself (it is an admitted node): to leave, for a snapshot or the commit log, that it is
     * ready, or to be admitted again. The fuzz does not send those; everything else it sends is wrong.
     */
    static boolean entitled(GeneratedMessage m, int fuzzerId, String fuzzerRef) {
        if (m instanceof JoinRequest j) {
            return j.getNodeRef().equals(fuzzerRef);
        }
        if (m instanceof FedJoin j) {
            return j.getNodeRef().equals(fuzzerRef);
        }
        int version;
        int node;
        if (m instanceof Leave l) {
            version = l.getVersion();
            node = l.getNodeId();
        } else if (m instanceof SnapshotRequest q) {
            version = q.getVersion();
            node = q.getNodeId();
        } else if (m instanceof CommitLogRequest q) {
            version = q.getVersion();
            node = q.getNodeId();
        } else if (m instanceof FedReady q) {
            version = q.getVersion();
            node = q.getNodeId();
        } else if (m instanceof FedLeave q) {
            version = q.getVersion();
            node = q.getNodeId();
        } else {
            return false;
        }
        return version == Wire.VERSION && node == fuzzerId;
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
