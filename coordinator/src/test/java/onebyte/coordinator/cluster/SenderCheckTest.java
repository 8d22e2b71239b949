package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.node.ClusterConfig;
import onebyte.node.wire.Rejections;
import onebyte.node.wire.Wire;
import onebyte.node.wire.WireStats;
import onebyte.proto.Admit;
import onebyte.proto.Commit;
import onebyte.proto.JoinRequest;
import onebyte.proto.Leave;
import onebyte.proto.MetricsReport;
import onebyte.proto.RoundOpen;
import onebyte.proto.RunComplete;
import onebyte.proto.SyncDone;
import org.junit.jupiter.api.Test;

/**
 * Messages that name an admitted node but come from another actor: an outsider ActorSystem on
 * loopback, never admitted, sends the coordinator a Leave, a SyncDone and a MetricsReport for
 * node 1 and a JoinRequest that names node 2's actor (with no sender, and with its own actor as
 * sender), and sends node 2 a RunComplete, an Admit, a RoundOpen and a Commit as if it were the
 * coordinator. Each is rejected as "wrong-sender:&lt;type&gt;" and counted; none is applied: no node
 * leaves, finishes early or resyncs, and the run completes with its three members agreeing.
 */
class SenderCheckTest {
    private static final int ROUNDS = 12;
    private static final long AT_ROUND = 4;

    @Test
    void messagesFromAnyoneButTheAdmittedActorAreRejectedAndCounted() throws Exception {
        SpsaRunSettings s = EmbeddedClusterTest.tiny().runId("sender-check").nodes(3).rounds(ROUNDS)
                .roundDeadline(Duration.ofSeconds(5)).build();
        ActorSystem<Object> outsider = ActorSystem.create(Behaviors.ignore(), ClusterConfig.SYSTEM_NAME,
                ClusterConfig.build("127.0.0.1", 0, "", List.of(), true));
        EmbeddedCluster[] cluster = {null};
        RunListener inject = new RunListener() {
            @Override
            public CompletionStage<Void> beforeRound(long round, double startS) {
                if (round != AT_ROUND) {
                    return CompletableFuture.completedFuture(null);
                }
                forge(outsider, cluster[0]);
                // round 4 opens once the forged messages had time to arrive (they are handled before it)
                return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(1500, TimeUnit.MILLISECONDS));
            }
        };
        try (EmbeddedCluster ec = EmbeddedCluster.start(s, null, inject)) {
            cluster[0] = ec;
            RunResult r = ec.await(Duration.ofMinutes(2));
            // RunComplete reaches the nodes after the run's result (300 ms were too short once at load 40)
            for (long until = System.nanoTime() + 10_000_000_000L;
                 System.nanoTime() < until && ec.nodes().values().stream().anyMatch(n -> n.finalRound < 0); ) {
                Thread.sleep(50);
            }

            Rejections c = WireStats.get(ec.coordinatorSystem()).rejections();
            Rejections n2 = WireStats.get(ec.nodeSystem(2)).rejections();
            System.out.println("coordinator rejections: " + c.snapshot() + "; node 2 rejections: " + n2.snapshot());
            assertEquals(2, c.count("wrong-sender:Leave"), c.snapshot().toString());
            assertEquals(1, c.count("wrong-sender:SyncDone"), c.snapshot().toString());
            assertEquals(1, c.count("wrong-sender:MetricsReport"), c.snapshot().toString());
            assertEquals(1, c.count("wrong-sender:JoinRequest"), c.snapshot().toString());
            for (String type : List.of("RunComplete", "Admit", "RoundOpen", "Commit")) {
                assertEquals(1, n2.count("wrong-sender:" + type), type + " in " + n2.snapshot());
            }
            assertEquals(ROUNDS, r.rows().size());
            for (MetricsRow row : r.rows()) {
                assertEquals(3, row.members(), "round " + row.round());
                assertEquals(0, row.left(), "round " + row.round());
                assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round());
            }
            assertEquals(3, r.joins().size(), "no resync: " + r.joins());
            long finalHash = Long.parseUnsignedLong(r.finalHash().substring(0, 16), 16);
            for (int id = 1; id <= 3; id++) {
                assertEquals(ROUNDS, ec.nodes().get(id).finalRound, "node " + id);
                assertEquals(finalHash, ec.nodes().get(id).finalHash, "node " + id);
            }
        } finally {
            outsider.terminate();
        }
    }

    /** The outsider's messages: to the coordinator for node 1 (and in node 2's name), to node 2 as the coordinator. */
    private static void forge(ActorSystem<Object> outsider, EmbeddedCluster ec) {
        ActorRefResolver resolver = ActorRefResolver.get(outsider);
        ActorRef<Object> coordinator = resolver.resolveActorRef(ec.coordinatorPath());
        ActorRef<Object> node2 = resolver.resolveActorRef(ec.nodeSystem(2).address() + "/user");
        akka.actor.ActorRef own = Adapter.toClassic((ActorRef<Object>) outsider); // a sender that is not the admitted actor
        Admit admitted = ec.nodes().get(2).admit;
        coordinator.tell(Leave.newBuilder().setVersion(Wire.VERSION).setNodeId(1).build());
        Adapter.toClassic(coordinator).tell(Leave.newBuilder().setVersion(Wire.VERSION).setNodeId(1).build(), own);
        coordinator.tell(SyncDone.newBuilder().setVersion(Wire.VERSION).setNodeId(1).setRound(0).build());
        coordinator.tell(MetricsReport.newBuilder().setVersion(Wire.VERSION).setNodeId(1).setRound(AT_ROUND).build());
        String node2Ref = ActorRefResolver.get(ec.nodeSystem(2)).toSerializationFormat(ec.nodeSystem(2));
        Adapter.toClassic(coordinator).tell(JoinRequest.newBuilder().setVersion(Wire.VERSION).setNodeRef(node2Ref).build(), own);

        node2.tell(RunComplete.newBuilder().setVersion(Wire.VERSION).setRounds(AT_ROUND).build());
        node2.tell(admitted.toBuilder().setResync(true).build());
        node2.tell(RoundOpen.newBuilder().setVersion(Wire.VERSION).setRound(AT_ROUND + 1).addMembers(2).build());
        Adapter.toClassic(node2).tell(Commit.newBuilder().setVersion(Wire.VERSION).setRound(AT_ROUND).setN(1).addNodeIds(1)
                .addSamples(0).setCodes(ByteString.copyFrom(new byte[] {0x7f})).setLr(1.0).build(), own);
    }
}
