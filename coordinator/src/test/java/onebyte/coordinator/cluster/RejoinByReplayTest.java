package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.ClusterConfig;
import onebyte.node.KeptReplica;
import onebyte.node.NodeActor;
import onebyte.node.engine.Engines;
import onebyte.node.engine.ReplicaEngine;
import onebyte.node.wire.Wire;
import onebyte.proto.Admit;
import onebyte.proto.Commit;
import onebyte.proto.RunState;
import onebyte.proto.StateMember;
import onebyte.proto.SyncMode;
import org.junit.jupiter.api.Test;

/**
 * A returning node whose replica is behind the resumed coordinator's record replays the commits
 * in between onto its own θ: a one-node run records 6 rounds; a coordinator resumed by rejoin at
 * round 6 ({@link Coordinator#resumeByRejoin}) takes back node 1, which returns with its replica of
 * round 3 ({@link KeptReplica}); it is admitted under id 1 by replay from round 3 (3 commits, not
 * θ_0's 6 and not a snapshot), its synced θ is the coordinator's θ_6, and the run goes on to round 9
 * with the node's replica equal to the coordinator's at the end.
 */
class RejoinByReplayTest {
    @Test
    void aReturningNodeBehindTheRecordReplaysTheCommitsInBetweenOntoItsOwnReplica() throws Exception {
        SpsaRunSettings first = EmbeddedClusterTest.tiny().runId("rejoin-replay").nodes(1).rounds(6).build();
        List<Commit> commits = new CopyOnWriteArrayList<>();
        Map<Long, Long> hashes = new TreeMap<>();
        RunResult recorded = EmbeddedCluster.run(first, null, new RunListener() {
            @Override
            public void committed(Commit c) {
                commits.add(c);
            }

            @Override
            public synchronized void roundClosed(MetricsRow row, RoundReport report) {
                hashes.put(row.round(), report.replicaHash());
            }
        }, Duration.ofMinutes(2));
        assertEquals(6, commits.size());

        // θ_3 (the node's) and θ_6 (the coordinator's) by the replica engine every replica uses
        ParameterVector theta = onebyte.node.engine.Workloads.get(first.workload(), first.runSeed()).initialParameters();
        ReplicaEngine engine = Engines.create(first.runConfig(theta.length(), Wire.hash8(theta.hash())));
        ParameterVector at3 = null;
        for (Commit c : commits) {
            engine.apply(theta, ReplicaEngine.CommitEntries.of(c, engine.codeWidth()));
            if (c.getRound() == 2) {
                at3 = theta.copy();
            }
        }
        long h6 = Wire.hash8(theta.hash());
        assertEquals(hashes.get(5L), h6);
        MetricsRow last = recorded.last();
        float[] values = theta.toArray();
        RunState state = RunState.newBuilder().setAlgorithm("spsa").setRound(6)
                .setModel(ByteString.copyFrom(Wire.floatsToBytes(values, 0, values.length))).setModelHash(h6)
                .setVirtualTimeS(last.virtualTimeS()).setBytesCum(last.bytesCum()).setForwardPassesCum(last.forwardPassesCum())
                .setInitialLoss(recorded.initialEvalLoss()).setInitialAccuracy(recorded.initialEvalAccuracy()).setNextNodeId(2)
                .addMembers(StateMember.newBuilder().setNodeId(1)).build();
        RestorePoint restore = new RestorePoint(state, commits, new ArrayList<>(hashes.values()));

        SpsaRunSettings resumed = first.toBuilder().rounds(9).build();
        int port = CliProcesses.freePort();
        String seed = "127.0.0.1:" + port;
        CompletableFuture<RunResult> result = new CompletableFuture<>();
        CompletableFuture<Admit> admit = new CompletableFuture<>();
        CompletableFuture<Boolean> agrees = new CompletableFuture<>();
        EmbeddedClusterTest.ListSink sink = new EmbeddedClusterTest.ListSink();
        List<ActorSystem<?>> systems = new ArrayList<>();
        try {
            systems.add(ActorSystem.create(Behaviors.setup(ctx -> {
                ctx.spawn(Coordinator.resumeByRejoin(resumed, sink, new RunListener() {}, result, restore, Duration.ofSeconds(60)),
                        "coordinator");
                return Behaviors.empty();
            }), ClusterConfig.SYSTEM_NAME, ClusterConfig.build("127.0.0.1", port, "", List.of(seed), true)));
            KeptReplica kept = KeptReplica.returningWith(new KeptReplica.Replica(1, first.runSeed(), at3, 3));
            NodeActor.Observer observer = new NodeActor.Observer() {
                @Override
                public void admitted(int nodeId, Admit a) {
                    admit.complete(a);
                }

                @Override
                public void runComplete(int nodeId, boolean same) {
                    agrees.complete(same);
                }
            };
            systems.add(ActorSystem.create(NodeActor.create(new NodeActor.Params(ClusterConfig.coordinatorPath(seed), SyncMode.SYNC_AUTO,
                    "returning", observer, NodeActor.Params.OWN_SHARD, "", kept)), ClusterConfig.SYSTEM_NAME,
                    ClusterConfig.build("127.0.0.1", 0, "", List.of(seed), true)));
            RunResult r = result.get(2, TimeUnit.MINUTES);
            Admit a = admit.get();
            assertEquals(1, a.getNodeId(), "its node id back");
            assertEquals(SyncMode.SYNC_REPLAY, a.getSync());
            assertEquals(3, a.getReplayFrom());
            assertEquals(6, a.getFirstRound());
            assertEquals(1, r.joins().size(), r.joins().toString());
            RunResult.JoinRecord j = r.joins().get(0);
            assertEquals("SYNC_REPLAY", j.sync());
            assertEquals(6, j.round());
            assertTrue(j.hashAgrees(), "its replica after replaying rounds 3..5 is the coordinator's θ_6");
            assertEquals(List.of(6L, 7L, 8L), sink.rows.stream().map(MetricsRow::round).toList());
            sink.rows.forEach(row -> assertEquals(Boolean.TRUE, row.replicasAgree(), row.toString()));
            assertEquals(1, sink.rows.get(0).members());
            assertTrue(agrees.get(30, TimeUnit.SECONDS), "the node's final replica is the coordinator's");
        } finally {
            for (ActorSystem<?> s : systems) {
                s.terminate();
            }
            for (ActorSystem<?> s : systems) {
                s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
