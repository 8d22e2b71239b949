package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import onebyte.coordinator.fed.FedRunSettings;
import onebyte.coordinator.fed.FederatedCluster;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.core.algorithm.Algorithm;
import onebyte.core.fed.FedSpeedParams;
import onebyte.node.ClusterConfig;
import onebyte.node.wire.Wire;
import onebyte.node.wire.WireSender;
import onebyte.node.wire.WireStats;
import onebyte.proto.Admit;
import onebyte.proto.Commit;
import onebyte.proto.FedAdmit;
import onebyte.proto.FedJoin;
import onebyte.proto.JoinRequest;
import onebyte.proto.SyncMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The wire fuzzed in a live cluster (SPEC §2 and §4 messages, real Artery connections on
 * loopback, real protobuf bytes): for every message type of wire.proto and federated.proto,
 * random field values, truncations, bit flips, wrong rounds, duplicated and reordered messages,
 * and bytes under the wrong type, sent one at a time during the rounds of an SPSA run and of a
 * FedSpeed run, by a fuzzer node (admitted, never synced: in no round) from its own actor and by
 * an outsider (never admitted) with and without a sender, to the coordinator and to the real
 * nodes. Every message is rejected and counted exactly once, none is applied: the run completes
 * with its three members, agreeing replicas, and the same θ after every round (so the same final
 * θ) as an undisturbed run of the same scenario and seed. Seeded: the same messages every time.
 * Prints the table README.md and docs/protocol.md quote.
 */
class WireFuzzTest {
    private static final long SEED = 17;
    private static final int SPSA_ROUNDS = 16;
    private static final int SPSA_SHOTS = 90;
    private static final int FED_ROUNDS = 6;
    private static final int FED_SHOTS = 200;
    private static final Map<String, WireFuzzDriver.Tally> TALLIES = new ConcurrentHashMap<>();
    private static final List<String> RUNS = new CopyOnWriteArrayList<>();
    /** Log lines of Artery failing to deserialize a wire frame (one per frame, with a stack trace, unless the serializer takes it). */
    private static final String DESERIALIZE_FAILED = "with serializer id [" + onebyte.node.wire.WireSerializer.ID + "]";
    private static LogCounter logs;

    @org.junit.jupiter.api.BeforeAll
    static void countLogs() {
        logs = LogCounter.attach(DESERIALIZE_FAILED);
    }

    /** Tells the fuzzer node to ask to be admitted. */
    private record Join(String coordinatorPath, boolean federated) {}

    /** Holds round r+1 until the fuzz batch sent during round r is done; the fuzzer joins before round 1. */
    private static final class Pacer implements RunListener {
        final Map<Long, CompletableFuture<Void>> batches = new ConcurrentHashMap<>();
        final Map<Long, Long> hashes = new ConcurrentHashMap<>();
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        volatile java.util.function.LongConsumer batch;
        volatile java.util.function.Supplier<CompletionStage<Void>> join;
        final long lastBatch;

        Pacer(long lastBatch) {
            this.lastBatch = lastBatch;
        }

        @Override
        public CompletionStage<Void> beforeRound(long round, double startS) {
            if (join != null && round == 1) {
                return join.get();
            }
            CompletableFuture<Void> previous = batches.get(round - 1);
            return previous == null ? CompletableFuture.completedFuture(null) : previous;
        }

        @Override
        public CompletionStage<Void> beforeOpen(long round, double startS, Set<Integer> members) {
            if (batch != null && round >= 1 && round <= lastBatch) {
                batches.put(round, CompletableFuture.runAsync(() -> batch.accept(round), thread));
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void roundClosed(MetricsRow row, RoundReport report) {
            hashes.put(report.round(), report.replicaHash());
        }
    }

    /** The fuzzer node: asks to be admitted when told, keeps its admission and the commits it receives, ignores the rest. */
    private static Behavior<Object> fuzzerNode(CompletableFuture<Object> admitted, List<Commit> commits) {
        return Behaviors.setup(ctx -> Behaviors.receive(Object.class).onAnyMessage(m -> {
            if (m instanceof Join j) {
                ActorRef<Object> c = ActorRefResolver.get(ctx.getSystem()).resolveActorRef(j.coordinatorPath());
                String self = ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(ctx.getSelf());
                WireSender.tell(c, j.federated()
                        ? FedJoin.newBuilder().setVersion(Wire.VERSION).setNodeRef(self).setShard(1).setLabel("fuzzer").build()
                        : JoinRequest.newBuilder().setVersion(Wire.VERSION).setNodeRef(self).setSync(SyncMode.SYNC_SNAPSHOT)
                                .setLabel("fuzzer").build(), ctx.getSelf());
            } else if (m instanceof Admit || m instanceof FedAdmit) {
                admitted.complete(m);
            } else if (m instanceof Commit c && commits.size() < 16) {
                commits.add(c);
            }
            return Behaviors.same();
        }).build());
    }

    private static ActorSystem<Object> system(Behavior<Object> b) {
        return ActorSystem.create(b, ClusterConfig.SYSTEM_NAME, ClusterConfig.build("127.0.0.1", 0, "", List.of(), true));
    }

    @Test
    void fuzzedSpsaRunEndsWithTheUndisturbedRunsTheta() throws Exception {
        SpsaRunSettings s = EmbeddedClusterTest.tiny().runId("fuzz-spsa").nodes(3).rounds(SPSA_ROUNDS).roundDeadline(Duration.ofSeconds(10))
                .build();
        Pacer quiet = new Pacer(0);
        RunResult undisturbed;
        long quietRejections;
        try (EmbeddedCluster ec = EmbeddedCluster.start(s, null, quiet)) {
            undisturbed = ec.await(Duration.ofMinutes(2));
            quietRejections = WireFuzzDriver.rejections(systems(ec.coordinatorSystem(), ec::nodeSystem));
        }
        CompletableFuture<Object> admitted = new CompletableFuture<>();
        List<Commit> commits = new CopyOnWriteArrayList<>();
        ActorSystem<Object> fuzzer = system(fuzzerNode(admitted, commits));
        ActorSystem<Object> outsider = system(Behaviors.ignore());
        WireFuzzDriver driver = new WireFuzzDriver(SEED, fuzzer, outsider);
        Pacer pacer = new Pacer(SPSA_ROUNDS - 2);
        long t0 = System.nanoTime();
        try (EmbeddedCluster ec = EmbeddedCluster.start(s, null, pacer)) {
            pacer.join = () -> {
                fuzzer.tell(new Join(ec.coordinatorPath(), false));
                return admitted.thenApply(a -> null);
            };
            pacer.batch = round -> {
                Admit a = (Admit) admitted.join();
                List<Commit> seen = List.copyOf(commits);
                int width = seen.stream().filter(c -> c.getN() > 0).findFirst().map(c -> c.getCodes().size() / c.getN()).orElse(1);
                WireTemplates.State st = new WireTemplates.State(round, a.getNodeId(), List.of(1, 2, 3), ref(ec.nodeSystem(1 + (int) (round % 3))),
                        a.getConfig().getNumParams(), a.getConfig().getSamples(), width, seen, a, null);
                driver.batch(SPSA_SHOTS, st, ec.coordinatorSystem(), ec.coordinatorPath(), ec::nodeSystem);
            };
            RunResult r = ec.await(Duration.ofMinutes(3));
            pacer.batches.values().forEach(CompletableFuture::join);
            Thread.sleep(300);
            long rejections = WireFuzzDriver.rejections(systems(ec.coordinatorSystem(), ec::nodeSystem));
            WireFuzzDriver.Tally t = driver.tally;
            TALLIES.put("spsa", t);
            System.out.println("fuzzed SPSA run: coordinator rejections " + WireStats.get(ec.coordinatorSystem()).rejections().snapshot());
            assertEquals(List.of(), t.notRejected, "messages nobody rejected");
            assertEquals(0, logs.containing.get(), "log lines of frames Artery could not deserialize (each malformed frame is only counted)");
            assertEquals(quietRejections + t.messages, rejections, "every message rejected exactly once");
            assertEquals(SPSA_ROUNDS, r.rows().size());
            for (MetricsRow row : r.rows()) {
                assertEquals(3, row.members(), "round " + row.round());
                assertEquals(3 * s.samplesPerNode(), row.contributed(), "round " + row.round());
                assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round());
            }
            assertEquals(quiet.hashes, pacer.hashes, "θ after every round as in the undisturbed run");
            assertEquals(undisturbed.finalHash(), r.finalHash());
            long finalHash = Long.parseUnsignedLong(r.finalHash().substring(0, 16), 16);
            for (int id = 1; id <= 3; id++) {
                assertEquals(finalHash, ec.nodes().get(id).finalHash, "node " + id);
            }
            RUNS.add(String.format("SPSA: %d rounds, 3 nodes, %d messages in %.1f s, final θ %s in both runs", SPSA_ROUNDS, t.messages,
                    (System.nanoTime() - t0) / 1e9, r.finalHash().substring(0, 16)));
        } finally {
            pacer.thread.shutdownNow();
            fuzzer.terminate();
            outsider.terminate();
        }
    }

    @Test
    void fuzzedFederatedRunEndsWithTheUndisturbedRunsModel() throws Exception {
        FedSpeedParams client = new FedSpeedParams(3, 0.05, 0.99, 0.1, 0.1, 1.0, 16, true);
        FedRunSettings s = new FedRunSettings("fuzz-fed", Algorithm.FEDSPEED, 7, 3, FED_ROUNDS, client, 1.0, Duration.ofSeconds(30), 1,
                TestWorkloads.synthetic(16, 1200, 300, 20), 10, 10, 10, null);
        Pacer quiet = new Pacer(0);
        RunResult undisturbed;
        long quietRejections;
        try (FederatedCluster fc = FederatedCluster.start(s, null, quiet, null, 3, false)) {
            undisturbed = fc.await(Duration.ofMinutes(2));
            quietRejections = WireFuzzDriver.rejections(systems(fc.coordinatorSystem(), fc::nodeSystem));
        }
        CompletableFuture<Object> admitted = new CompletableFuture<>();
        ActorSystem<Object> fuzzer = system(fuzzerNode(admitted, new ArrayList<>()));
        ActorSystem<Object> outsider = system(Behaviors.ignore());
        WireFuzzDriver driver = new WireFuzzDriver(SEED + 1, fuzzer, outsider);
        Pacer pacer = new Pacer(FED_ROUNDS - 2);
        long t0 = System.nanoTime();
        try (FederatedCluster fc = FederatedCluster.start(s, null, pacer, null, 3, false)) {
            pacer.join = () -> {
                fuzzer.tell(new Join(fc.coordinatorPath(), true));
                return admitted.thenApply(a -> null);
            };
            pacer.batch = round -> {
                FedAdmit a = (FedAdmit) admitted.join();
                WireTemplates.State st = new WireTemplates.State(round, a.getNodeId(), List.of(1, 2, 3), ref(fc.nodeSystem(1 + (int) (round % 3))),
                        a.getConfig().getNumParams(), 1, 1, List.of(), null, a);
                driver.batch(FED_SHOTS, st, fc.coordinatorSystem(), fc.coordinatorPath(), fc::nodeSystem);
            };
            RunResult r = fc.await(Duration.ofMinutes(3));
            pacer.batches.values().forEach(CompletableFuture::join);
            Thread.sleep(300);
            long rejections = WireFuzzDriver.rejections(systems(fc.coordinatorSystem(), fc::nodeSystem));
            WireFuzzDriver.Tally t = driver.tally;
            TALLIES.put("fed", t);
            System.out.println("fuzzed federated run: coordinator rejections " + WireStats.get(fc.coordinatorSystem()).rejections().snapshot());
            assertEquals(List.of(), t.notRejected, "messages nobody rejected");
            assertEquals(0, logs.containing.get(), "log lines of frames Artery could not deserialize (each malformed frame is only counted)");
            assertEquals(quietRejections + t.messages, rejections, "every message rejected exactly once");
            assertEquals(FED_ROUNDS, r.rows().size());
            for (MetricsRow row : r.rows()) {
                assertEquals(3, row.members(), "round " + row.round());
                assertEquals(3, row.contributed(), "round " + row.round());
                assertEquals(0, row.crashed(), "round " + row.round());
            }
            assertEquals(quiet.hashes, pacer.hashes, "x after every round as in the undisturbed run");
            assertEquals(undisturbed.finalHash(), r.finalHash());
            RUNS.add(String.format("FedSpeed: %d rounds, 3 nodes, %d messages in %.1f s, final x %s in both runs", FED_ROUNDS, t.messages,
                    (System.nanoTime() - t0) / 1e9, r.finalHash().substring(0, 16)));
        } finally {
            pacer.thread.shutdownNow();
            fuzzer.terminate();
            outsider.terminate();
        }
    }

    @AfterAll
    static void printTable() {
        logs.detach();
        WireFuzzDriver.Tally all = new WireFuzzDriver.Tally();
        TALLIES.values().forEach(all::add);
        if (all.messages == 0) {
            return;
        }
        StringBuilder out = new StringBuilder("\nWire fuzz (seed " + SEED + "): messages tried, rejected and applied, by message type\n");
        out.append(String.format("%-17s %6s %8s %7s  %s%n", "type", "tried", "rejected", "applied", "rejected as"));
        for (Map.Entry<String, Long> e : all.tried.entrySet()) {
            Map<String, Long> kinds = all.rejectedAs.getOrDefault(e.getKey(), Map.of());
            long rej = kinds.values().stream().mapToLong(Long::longValue).sum();
            out.append(String.format("%-17s %6d %8d %7d  %s%n", e.getKey(), e.getValue(), rej, e.getValue() - rej, kinds));
        }
        out.append(String.format("%-17s %6d %8d %7d%n", "total", all.messages, all.rejected(), all.messages - all.rejected()));
        Map<String, Long> byKind = new java.util.TreeMap<>();
        all.rejectedAs.values().forEach(m -> m.forEach((k, v) -> byKind.merge(k, v, Long::sum)));
        out.append("rejected by kind: ").append(byKind).append('\n');
        out.append("by mutation: ").append(all.byMutation).append('\n');
        out.append("by sender: ").append(all.bySender).append('\n');
        RUNS.forEach(r -> out.append("run completed: ").append(r).append('\n'));
        out.append("WARN and ERROR log lines in this JVM during the runs: ").append(logs.warnOrError.get()).append('\n');
        System.out.print(out);
    }

    private static String ref(ActorSystem<Object> node) {
        return ActorRefResolver.get(node).toSerializationFormat(node);
    }

    private static List<ActorSystem<?>> systems(ActorSystem<?> coordinator, java.util.function.IntFunction<ActorSystem<Object>> node) {
        List<ActorSystem<?>> out = new ArrayList<>(List.of(coordinator));
        for (int id = 1; id <= 3; id++) {
            out.add(node.apply(id));
        }
        return out;
    }
}
