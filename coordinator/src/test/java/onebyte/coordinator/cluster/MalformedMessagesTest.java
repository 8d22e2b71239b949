package onebyte.coordinator.cluster;

import onebyte.coordinator.console.ProgressLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.node.ClusterConfig;
import onebyte.node.wire.RawFrame;
import onebyte.node.wire.Rejections;
import onebyte.node.wire.Wire;
import onebyte.node.wire.WireSender;
import onebyte.node.wire.WireStats;
import onebyte.proto.Admit;
import onebyte.proto.Commit;
import onebyte.proto.Contribution;
import onebyte.proto.JoinRequest;
import onebyte.proto.Leave;
import onebyte.proto.RoundOpen;
import onebyte.proto.SyncDone;
import onebyte.proto.SyncMode;
import org.junit.jupiter.api.Test;

/**
 * Forged and malformed messages over real Artery connections. A forger ActorSystem runs a fake
 * node that is admitted as the 4th initial member; in round 0 it sends one valid contribution
 * and a volley of bad ones, in round 1 a contribution computed on a "wrong replica". Then a
 * forged commit (not from the coordinator) and a truncated frame go to a real node. Everything bad is rejected and counted,
 * nothing of it is applied, and the real replicas agree to the end.
 */
class MalformedMessagesTest {
    private static Contribution.Builder contribution(int node, long round) {
        return Contribution.newBuilder().setVersion(Wire.VERSION).setNodeId(node).setRound(round).setSample(0)
                .setCode(ByteString.copyFrom(new byte[] {0}));
    }

    /** A node that follows the protocol just far enough to be a member, then misbehaves. */
    private static Behavior<Object> fakeNode(String coordinatorPath, CompletableFuture<Integer> left) {
        return Behaviors.setup(ctx -> {
            ActorRef<Object> coordinator = ActorRefResolver.get(ctx.getSystem()).resolveActorRef(coordinatorPath);
            String self = ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(ctx.getSelf());
            // from its own actor, the one admitted under its node id (WireSender): only its contents are forged
            java.util.function.Consumer<Object> send = msg -> WireSender.tell(coordinator, msg, ctx.getSelf());
            send.accept(JoinRequest.newBuilder().setVersion(Wire.VERSION).setNodeRef(self).setLabel("forger").build());
            int[] id = {-1};
            long[] h0 = {0};
            return Behaviors.receive(Object.class).onAnyMessage(m -> {
                if (m instanceof Admit a && !a.getResync()) {
                    id[0] = a.getNodeId();
                    h0[0] = a.getConfig().getInitialHash();
                    send.accept(SyncDone.newBuilder().setVersion(Wire.VERSION).setNodeId(id[0]).setRound(0)
                            .setSync(SyncMode.SYNC_NONE).setReplicaHash(h0[0]).build());
                } else if (m instanceof Admit a && a.getResync()) {
                    send.accept(Leave.newBuilder().setVersion(Wire.VERSION).setNodeId(id[0]).build());
                } else if (m instanceof Leave) {
                    left.complete(id[0]);
                } else if (m instanceof RoundOpen o && o.getRound() == 0) {
                    int me = id[0];
                    send.accept(contribution(me, 0).setVersion(9).setReplicaHash(Wire.hash4(h0[0])).build());
                    send.accept(contribution(999, 0).setReplicaHash(Wire.hash4(h0[0])).build());
                    send.accept(contribution(me, 77).setReplicaHash(Wire.hash4(h0[0])).build());
                    send.accept(contribution(me, 0).setCode(ByteString.copyFrom(new byte[] {1, 2})).setReplicaHash(Wire.hash4(h0[0])).build());
                    send.accept(contribution(me, 0).setSample(5).setReplicaHash(Wire.hash4(h0[0])).build());
                    Contribution valid = contribution(me, 0).setReplicaHash(Wire.hash4(h0[0])).build();
                    send.accept(valid);
                    send.accept(valid); // duplicate
                    byte[] bytes = valid.toByteArray();
                    send.accept(new RawFrame("C", Arrays.copyOf(bytes, bytes.length - 3))); // cut inside the hash
                    send.accept(new RawFrame("ZZ", bytes)); // no such message type
                } else if (m instanceof RoundOpen o && o.getRound() == 1) {
                    send.accept(contribution(id[0], 1).setReplicaHash(Wire.hash4(h0[0]) ^ 1).build()); // wrong replica
                }
                return Behaviors.same();
            }).build();
        });
    }

    @Test
    void forgedAndMalformedMessagesAreRejectedCountedAndNeverApplied() throws Exception {
        SpsaRunSettings s = EmbeddedClusterTest.tiny().runId("forged").rounds(40).roundDeadline(Duration.ofSeconds(3)).build();
        CompletableFuture<Integer> fakeLeft = new CompletableFuture<>();
        RunResult r;
        ActorSystem<Object> forger = null;
        try (EmbeddedCluster ec = EmbeddedCluster.start(s, null, new ProgressLines(System.out), 3)) {
            forger = ActorSystem.create(fakeNode(ec.coordinatorPath(), fakeLeft), ClusterConfig.SYSTEM_NAME,
                    ClusterConfig.build("127.0.0.1", 0, "", List.of(), true));
            int fakeId = fakeLeft.get(60, TimeUnit.SECONDS);

            // a forged commit for a round far ahead, and a truncated commit frame, to a real node: not from its coordinator
            int target = fakeId == 1 ? 2 : 1;
            ActorSystem<Object> node1 = ec.nodeSystem(target);
            ActorRef<Object> node1Ref = ActorRefResolver.get(forger).resolveActorRef(node1.address() + "/user");
            Commit forged = Commit.newBuilder().setVersion(Wire.VERSION).setRound(1_000_000).addNodeIds(1).addSamples(0)
                    .setCodes(ByteString.copyFrom(new byte[] {0x7f})).setN(1).setLr(1.0).build();
            node1Ref.tell(forged);
            byte[] cb = forged.toByteArray();
            node1Ref.tell(new RawFrame("K", Arrays.copyOf(cb, cb.length - 4)));

            r = ec.await(Duration.ofMinutes(3));
            Thread.sleep(500);
            Map<Integer, EmbeddedCluster.NodeRecord> nodes = ec.nodes();

            Rejections c = WireStats.get(ec.coordinatorSystem()).rejections();
            System.out.println("coordinator rejections: " + c.snapshot());
            for (String kind : List.of("bad-version:Contribution", "unknown-node:Contribution", "unknown-round:Contribution",
                    "bad-code-width:Contribution", "bad-sample:Contribution", "duplicate:Contribution", "malformed:Contribution",
                    "malformed:unknown(ZZ)", "hash-mismatch:Contribution")) {
                assertEquals(1, c.count(kind), kind + " in " + c.snapshot());
            }
            Rejections n1 = WireStats.get(node1).rejections();
            System.out.println("node " + target + " rejections: " + n1.snapshot());
            assertEquals(1, n1.count("wrong-sender:Commit"), n1.snapshot().toString());
            assertEquals(0, n1.count("unknown-round:Commit"), n1.snapshot().toString());
            assertEquals(1, n1.count("malformed:Commit"), n1.snapshot().toString());

            List<MetricsRow> rows = r.rows();
            assertEquals(4, rows.get(0).members());
            assertEquals(4, rows.get(0).contributed()); // the fake's one valid contribution, once
            assertEquals(3, rows.get(1).contributed()); // its wrong-replica contribution is not applied
            assertEquals(Boolean.FALSE, rows.get(1).replicasAgree());
            for (MetricsRow row : rows) {
                if (row.round() != 1) {
                    assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round());
                }
            }
            assertEquals(1, r.hashMismatches());
            assertEquals(1, r.joins().stream().filter(j -> j.nodeId() == target).count(),
                    "node " + target + " did not resync after the forged commit: " + r.joins());
            long finalHash = Long.parseUnsignedLong(r.finalHash().substring(0, 16), 16);
            for (int id = 1; id <= 4; id++) {
                if (id != fakeId) {
                    assertEquals(finalHash, nodes.get(id).finalHash, "node " + id);
                    assertEquals(40, nodes.get(id).finalRound, "node " + id);
                }
            }
        } finally {
            if (forger != null) {
                forger.terminate();
            }
        }
    }
}
