package onebyte.coordinator.fed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import onebyte.coordinator.console.ProgressLines;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.core.fed.ServerMean;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.ClusterConfig;
import onebyte.node.fed.FedChunks;
import onebyte.node.wire.RawFrame;
import onebyte.node.wire.Rejections;
import onebyte.node.wire.Wire;
import onebyte.node.wire.WireSender;
import onebyte.node.wire.WireStats;
import onebyte.proto.FedAdmit;
import onebyte.proto.FedDone;
import onebyte.proto.FedJoin;
import onebyte.proto.FedModelChunk;
import onebyte.proto.FedReady;
import onebyte.proto.FedRoundOpen;
import org.junit.jupiter.api.Test;

/**
 * Forged and malformed federated messages over real Artery connections. A forger ActorSystem is
 * admitted as the third node (shard 3). In round 0 it sends a volley of bad chunks and FedDones
 * (wrong round, unknown node, wrong chunk count, bad index, wrong size, bad version, truncated
 * frame, unknown manifest), then returns x^0 itself correctly (its x̂ = x^0) and a duplicate.
 * Every bad message is rejected and counted under its kind, none is applied: x^1 is the mean of
 * the two real x̂ and the forger's x^0. A forged chunk sent to a real node is rejected there too
 * (it does not come from the coordinator).
 */
class FederatedMalformedMessagesTest {
    private static FedModelChunk.Builder chunk(long round, int node, int index, int count, int floats) {
        return FedModelChunk.newBuilder().setVersion(Wire.VERSION).setRound(round).setNodeId(node).setIndex(index).setCount(count)
                .setData(ByteString.copyFrom(new byte[4 * floats]));
    }

    private static Behavior<Object> forger(String coordinatorPath, CompletableFuture<Integer> admitted,
                                           CompletableFuture<ParameterVector> x0) {
        return Behaviors.setup(ctx -> {
            ActorRef<Object> coordinator = ActorRefResolver.get(ctx.getSystem()).resolveActorRef(coordinatorPath);
            String self = ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(ctx.getSelf());
            // from its own actor, the one admitted under its node id (WireSender): only its contents are forged
            java.util.function.Consumer<Object> send = msg -> WireSender.tell(coordinator, msg, ctx.getSelf());
            send.accept(FedJoin.newBuilder().setVersion(Wire.VERSION).setNodeRef(self).setShard(3).setLabel("forger").build());
            int[] id = {-1};
            int[] d = {0};
            FedChunks.Assembly[] in = {null};
            return Behaviors.receive(Object.class).onAnyMessage(m -> {
                if (m instanceof FedAdmit a && id[0] < 0) {
                    id[0] = a.getNodeId();
                    d[0] = a.getConfig().getNumParams();
                    send.accept(FedReady.newBuilder().setVersion(Wire.VERSION).setNodeId(id[0]).build());
                    admitted.complete(id[0]);
                } else if (m instanceof FedRoundOpen o && o.getRound() == 0) {
                    in[0] = new FedChunks.Assembly(0, id[0], d[0]);
                } else if (m instanceof FedModelChunk c && in[0] != null && in[0].accept(c) == null && in[0].complete()) {
                    int me = id[0];
                    int n = d[0];
                    send.accept(chunk(5, me, 0, 1, n).build());                 // unknown round
                    send.accept(chunk(0, 999, 0, 1, n).build());                // never admitted
                    send.accept(chunk(0, me, 0, 2, n).build());                 // wrong chunk count
                    send.accept(chunk(0, me, 3, 1, n).build());                 // index out of range
                    send.accept(chunk(0, me, 0, 1, n - 1).build());             // one float short
                    send.accept(chunk(0, me, 0, 1, n).setVersion(9).build());   // wrong version
                    byte[] good = chunk(0, me, 0, 1, n).build().toByteArray();
                    send.accept(new RawFrame("FC", Arrays.copyOf(good, good.length - 5))); // truncated
                    send.accept(new RawFrame("FZ", good));                      // no such type
                    send.accept(FedDone.newBuilder().setVersion(Wire.VERSION).setRound(0).setNodeId(me)
                            .setGradientPasses(1).build());                           // wrong work count
                    ParameterVector x = in[0].vector();
                    x0.complete(x);
                    List<FedModelChunk> back = FedChunks.split(0, me, x);
                    back.forEach(send);
                    send.accept(back.get(0));                                   // duplicate
                    send.accept(FedDone.newBuilder().setVersion(Wire.VERSION).setRound(0).setNodeId(me)
                            .setGradientPasses(6).setTrainLoss(1).build());
                }
                return Behaviors.same();
            }).build();
        });
    }

    @Test
    void malformedFederatedMessagesAreRejectedCountedAndNeverApplied() throws Exception {
        FedRunSettings s = FederatedClusterTest.settings("fed-forged", FederatedClusterTest.SMALL, 3, 2, Duration.ofSeconds(20));
        FederatedClusterTest.Hashes hashes = new FederatedClusterTest.Hashes();
        CompletableFuture<Integer> admitted = new CompletableFuture<>();
        CompletableFuture<ParameterVector> x0 = new CompletableFuture<>();
        ActorSystem<Object> forger = null;
        try (FederatedCluster fc = FederatedCluster.start(s, null, RunListener.all(hashes, new ProgressLines(System.out)), null, 2)) {
            forger = ActorSystem.create(forger(fc.coordinatorPath(), admitted, x0), ClusterConfig.SYSTEM_NAME,
                    ClusterConfig.build("127.0.0.1", 0, "", List.of(), true));
            int fakeId = admitted.get(60, TimeUnit.SECONDS);
            RunResult r = fc.await(Duration.ofMinutes(2));

            Rejections c = WireStats.get(fc.coordinatorSystem()).rejections();
            System.out.println("coordinator rejections: " + c.snapshot());
            for (String kind : List.of("unknown-round:FedModelChunk", "unknown-node:FedModelChunk", "bad-count:FedModelChunk",
                    "bad-index:FedModelChunk", "bad-size:FedModelChunk", "bad-version:FedModelChunk", "malformed:FedModelChunk",
                    "malformed:unknown(FZ)", "bad-size:FedDone", "duplicate:FedModelChunk")) {
                assertEquals(1, c.count(kind), kind + " in " + c.snapshot());
            }
            assertTrue(r.bytesByType().get("rejected:up:FedModelChunk") > 0, r.bytesByType().toString());

            // a forged chunk to a real node, with the forger's own actor as sender: not from the coordinator
            int target = fakeId == 1 ? 2 : 1;
            ActorSystem<Object> node = fc.nodeSystem(target);
            WireSender.tell(ActorRefResolver.get(forger).resolveActorRef(node.address() + "/user"), chunk(7, target, 0, 1, 4).build(),
                    forger);
            Rejections nr = WireStats.get(node).rejections();
            for (int i = 0; i < 50 && nr.count("wrong-sender:FedModelChunk") == 0; i++) {
                Thread.sleep(100);
            }
            assertEquals(1, nr.count("wrong-sender:FedModelChunk"), nr.snapshot().toString());

            List<MetricsRow> rows = r.rows();
            assertEquals(3, rows.get(0).contributed());
            List<ParameterVector> xs = new ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                xs.add(id == fakeId ? x0.get() : fc.computed(id).get(0L));
            }
            assertEquals(Wire.hash8(ServerMean.mean(xs).hash()), hashes.byRound.get(0L), "x^1 = mean of the valid x̂ only");
        } finally {
            if (forger != null) {
                forger.terminate();
            }
        }
    }
}
