package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.ClusterConfig;
import onebyte.node.engine.Engines;
import onebyte.node.engine.ReplicaEngine;
import onebyte.node.engine.Workloads;
import onebyte.node.wire.Wire;
import onebyte.proto.Admit;
import onebyte.proto.Commit;
import onebyte.proto.JoinRequest;
import onebyte.proto.MetricsReport;
import onebyte.proto.RunConfig;
import onebyte.proto.SyncDone;
import onebyte.proto.SyncMode;
import org.junit.jupiter.api.Test;

/**
 * spsa.weight-decay applies on rounds whose commit is empty, in the cluster as in {@link
 * onebyte.core.spsa.ReplicaUpdate}: the only member of a run never contributes, so every commit is
 * empty, and the coordinator's replica still decays every round.
 */
class EmptyCommitWeightDecayTest {
    /** Joins, syncs from θ_0, never contributes; answers each commit with a report so it stays a member. */
    private static Behavior<Object> silentNode(String coordinatorPath, CompletableFuture<RunConfig> config) {
        return Behaviors.setup(ctx -> {
            ActorRef<Object> coordinator = ActorRefResolver.get(ctx.getSystem()).resolveActorRef(coordinatorPath);
            String self = ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(ctx.getSelf());
            // from its own actor: the coordinator takes a node's messages only from the actor it admitted (WireSender)
            java.util.function.Consumer<Object> send = msg -> onebyte.node.wire.WireSender.tell(coordinator, msg, ctx.getSelf());
            send.accept(JoinRequest.newBuilder().setVersion(Wire.VERSION).setNodeRef(self).setLabel("silent").build());
            int[] id = {-1};
            return Behaviors.receive(Object.class).onAnyMessage(m -> {
                if (m instanceof Admit a && id[0] < 0) {
                    id[0] = a.getNodeId();
                    config.complete(a.getConfig());
                    send.accept(SyncDone.newBuilder().setVersion(Wire.VERSION).setNodeId(id[0]).setRound(0)
                            .setSync(SyncMode.SYNC_NONE).setReplicaHash(a.getConfig().getInitialHash()).build());
                } else if (m instanceof Commit c) {
                    send.accept(MetricsReport.newBuilder().setVersion(Wire.VERSION).setNodeId(id[0]).setRound(c.getRound()).build());
                }
                return Behaviors.same();
            }).build();
        });
    }

    @Test
    void weightDecayAppliesOnRoundsWithAnEmptyCommit() throws Exception {
        int rounds = 3;
        SpsaRunSettings s = EmbeddedClusterTest.tiny().runId("decay-empty").nodes(1).rounds(rounds).weightDecay(0.5)
                .roundDeadline(Duration.ofMillis(400)).build();
        Map<Long, Long> hashes = new ConcurrentHashMap<>();
        RunListener hashesByRound = new RunListener() {
            @Override
            public void roundClosed(MetricsRow row, RoundReport report) {
                hashes.put(report.round(), report.replicaHash());
            }
        };
        CompletableFuture<RunConfig> config = new CompletableFuture<>();
        ActorSystem<Object> silent = null;
        RunResult r;
        try (EmbeddedCluster ec = EmbeddedCluster.start(s, null, hashesByRound, 0)) {
            silent = ActorSystem.create(silentNode(ec.coordinatorPath(), config), ClusterConfig.SYSTEM_NAME,
                    ClusterConfig.build("127.0.0.1", 0, "", List.of(), true));
            r = ec.await(Duration.ofMinutes(2));
        } finally {
            if (silent != null) {
                silent.terminate();
                silent.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
        assertEquals(rounds, r.rows().size());
        r.rows().forEach(row -> assertEquals(0, row.contributed(), "round " + row.round() + " has an empty commit"));

        // θ_r by the replica engine every node uses: θ_0, then one empty commit per round
        RunConfig c = config.get();
        ParameterVector theta = Workloads.forRun(c.getWorkload(), c.getRunSeed(), c.getNumParams()).initialParameters();
        ReplicaEngine engine = Engines.create(c);
        for (long round = 0; round < rounds; round++) {
            long before = Wire.hash8(theta.hash());
            engine.apply(theta, new ReplicaEngine.CommitEntries(round, new int[0], new int[0], new byte[0], engine.codeWidth(), s.lr()));
            long after = Wire.hash8(theta.hash());
            assertNotEquals(before, after, "weight decay changes θ in round " + round);
            assertEquals(after, hashes.get(round), "the coordinator's θ_" + (round + 1) + " after an empty commit");
        }
    }
}
