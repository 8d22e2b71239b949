package onebyte.coordinator.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.node.ClusterConfig;
import onebyte.node.NodeActor;
import onebyte.proto.Admit;
import onebyte.proto.SyncMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator and every node as separate ActorSystems in this JVM, on loopback ports, joined
 * into one Akka cluster: every message crosses Artery TCP and is serialized. Executes the run's
 * churn schedule (events on the virtual clock apply to the first round starting at or after
 * their time): a join at round r starts a new node system and holds round r until the node
 * has synced (it is a member of M_r); a leave at round r asks a node to leave gracefully and
 * holds round r until the coordinator acknowledged it (it is not in M_r); a crash at round r
 * terminates a member's ActorSystem abruptly (no coordinated shutdown, no Leave) after M_r was
 * fixed and before RoundOpen is sent, so round r closes at its deadline without it.
 */
public final class EmbeddedCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);

    private final SpsaRunSettings settings;
    private final String host;
    private final ActorSystem<Void> coordinatorSystem;
    private final CompletableFuture<RunResult> result = new CompletableFuture<>();
    private final Address coordinatorAddress;
    private final List<ActorSystem<Object>> nodeSystems = new ArrayList<>();
    private final Map<Integer, ActorSystem<Object>> byNodeId = new ConcurrentHashMap<>();
    private final Map<Integer, NodeRecord> nodeRecords = new ConcurrentHashMap<>();
    private int started;
    private final Map<Integer, CompletableFuture<Void>> syncedFutures = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Void>> leftFutures = new ConcurrentHashMap<>();
    private final Set<Integer> executed = ConcurrentHashMap.newKeySet();
    private final Set<Integer> gone = ConcurrentHashMap.newKeySet();

    /** What the embedded driver observed of one node (from its own callbacks). */
    public static final class NodeRecord {
        public volatile long firstContributedRound = -1;
        public final Map<Long, Long> hashes = new ConcurrentHashMap<>();
        public volatile long finalHash;
        public volatile long finalRound = -1;
        public volatile Admit admit;
    }

    private EmbeddedCluster(SpsaRunSettings settings, MetricsSink sink, RunListener extra, String host) {
        this.settings = settings;
        this.host = host;
        RunListener driver = new RunListener() {
            @Override
            public CompletionStage<Void> beforeRound(long round, double startS) {
                return churnBefore(round, startS);
            }

            @Override
            public CompletionStage<Void> beforeOpen(long round, double startS, Set<Integer> members) {
                return crashes(round, startS, members);
            }

            @Override
            public void nodeSynced(RunResult.JoinRecord record) {
                synced(record.nodeId()).complete(null);
            }

            @Override
            public void nodeLeft(int nodeId) {
                left(nodeId).complete(null);
            }
        };
        RunListener listener = extra == null ? driver : RunListener.all(driver, extra);
        coordinatorSystem = ActorSystem.create(Behaviors.setup(ctx -> {
            ctx.spawn(Coordinator.create(settings, sink, listener, result), "coordinator");
            return Behaviors.empty();
        }), ClusterConfig.SYSTEM_NAME, ClusterConfig.build(host, 0, "", List.of(), false));
        Cluster c = Cluster.get(coordinatorSystem);
        coordinatorAddress = c.selfMember().address();
        c.manager().tell(Join.create(coordinatorAddress));
        LOG.info("embedded coordinator at {}", coordinatorAddress);
    }

    /** Starts the coordinator and the initial nodes; the run starts when they are synced. */
    public static EmbeddedCluster start(SpsaRunSettings settings, MetricsSink sink, RunListener extra) {
        return start(settings, sink, extra, settings.nodes());
    }

    /** As {@link #start(SpsaRunSettings, MetricsSink, RunListener)} with fewer node systems (tests add their own nodes). */
    public static EmbeddedCluster start(SpsaRunSettings settings, MetricsSink sink, RunListener extra, int initialNodes) {
        EmbeddedCluster ec = new EmbeddedCluster(settings, sink, extra, "127.0.0.1");
        for (int i = 0; i < initialNodes; i++) {
            ec.startNode(SyncMode.SYNC_AUTO);
        }
        return ec;
    }

    /** Runs to the end (or the timeout) and shuts everything down. */
    public static RunResult run(SpsaRunSettings settings, MetricsSink sink, RunListener extra, Duration timeout)
            throws Exception {
        try (EmbeddedCluster ec = start(settings, sink, extra)) {
            return ec.await(timeout);
        }
    }

    public RunResult await(Duration timeout) throws Exception {
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("run " + settings.runId() + " did not finish within " + timeout);
        }
    }

    public CompletableFuture<RunResult> result() {
        return result;
    }

    /** Per node id: what the node itself reported through its callbacks. */
    public Map<Integer, NodeRecord> nodes() {
        return nodeRecords;
    }

    /** The ActorSystem of an admitted node (its guardian is the node actor), or null. */
    public ActorSystem<Object> nodeSystem(int nodeId) {
        return byNodeId.get(nodeId);
    }

    /** The coordinator's ActorSystem. */
    public ActorSystem<Void> coordinatorSystem() {
        return coordinatorSystem;
    }

    public String coordinatorPath() {
        return coordinatorAddress + "/user/coordinator";
    }

    /** Starts one more node; it joins the cluster and asks to be admitted with this sync mode. */
    public synchronized ActorSystem<Object> startNode(SyncMode sync) {
        return startNode(sync, new CompletableFuture<>());
    }

    private synchronized ActorSystem<Object> startNode(SyncMode sync, CompletableFuture<Integer> admittedId) {
        int label = ++started;
        java.util.concurrent.atomic.AtomicReference<ActorSystem<Object>> self = new java.util.concurrent.atomic.AtomicReference<>();
        NodeActor.Observer observer = new NodeActor.Observer() {
            @Override
            public void admitted(int nodeId, Admit admit) {
                NodeRecord r = nodeRecords.computeIfAbsent(nodeId, k -> new NodeRecord());
                r.admit = admit;
                byNodeId.put(nodeId, self.get());
                admittedId.complete(nodeId);
            }

            @Override
            public void contributed(int nodeId, long round, long hash) {
                NodeRecord r = nodeRecords.computeIfAbsent(nodeId, k -> new NodeRecord());
                if (r.firstContributedRound < 0) {
                    r.firstContributedRound = round;
                }
                r.hashes.put(round, hash);
            }

            @Override
            public void finished(int nodeId, long appliedRounds, long hash) {
                NodeRecord r = nodeRecords.computeIfAbsent(nodeId, k -> new NodeRecord());
                r.finalHash = hash;
                r.finalRound = appliedRounds;
            }
        };
        NodeActor.Params p = new NodeActor.Params(coordinatorPath(), sync, "embedded-" + label, observer);
        ActorSystem<Object> sys = ActorSystem.create(NodeActor.create(p), ClusterConfig.SYSTEM_NAME,
                ClusterConfig.build(host, 0, "", List.of(), true));
        self.set(sys);
        nodeSystems.add(sys);
        Cluster.get(sys).manager().tell(Join.create(coordinatorAddress));
        return sys;
    }

    private CompletableFuture<Void> synced(int nodeId) {
        return syncedFutures.computeIfAbsent(nodeId, k -> new CompletableFuture<>());
    }

    private CompletableFuture<Void> left(int nodeId) {
        return leftFutures.computeIfAbsent(nodeId, k -> new CompletableFuture<>());
    }

    /**
     * Joins and leaves scheduled for this round, before its member set is fixed: a joining node
     * is started and the round waits until it has synced (so it is a member from this round on);
     * a leaving node is asked to leave and the round waits until the coordinator acknowledged it.
     */
    private CompletionStage<Void> churnBefore(long round, double startS) {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (int i = 0; i < settings.churn().size(); i++) {
            SpsaRunSettings.Churn c = settings.churn().get(i);
            if (!c.due(round, startS) || c.action() == SpsaRunSettings.Churn.Action.CRASH || !executed.add(i)) {
                continue;
            }
            switch (c.action()) {
                case JOIN_AUTO -> waits.add(join(round, SyncMode.SYNC_AUTO));
                case JOIN_SNAPSHOT -> waits.add(join(round, SyncMode.SYNC_SNAPSHOT));
                case JOIN_REPLAY -> waits.add(join(round, SyncMode.SYNC_REPLAY));
                case LEAVE -> {
                    int id = pick(c.nodeId(), live());
                    ActorSystem<Object> sys = byNodeId.get(id);
                    if (sys == null) {
                        LOG.warn("churn at round {}: no node {} to leave", round, id);
                    } else {
                        LOG.info("churn at round {}: node {} leaves", round, id);
                        gone.add(id);
                        sys.tell(new NodeActor.LeaveNow());
                        waits.add(bounded(left(id), "leave of node " + id));
                    }
                }
                default -> throw new IllegalStateException(c.action().name());
            }
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> join(long round, SyncMode mode) {
        CompletableFuture<Integer> id = new CompletableFuture<>();
        CompletableFuture.runAsync(() -> startNode(mode, id));
        LOG.info("churn at round {}: a node joins by {}", round, mode);
        return bounded(id.thenCompose(this::synced), "join at round " + round);
    }

    /** Churn waits at most 60 s; a join or leave that takes longer is logged and the run goes on. */
    private CompletableFuture<Void> bounded(CompletableFuture<Void> f, String what) {
        return f.orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> {
            LOG.warn("churn: {} did not complete: {}", what, e.toString());
            return null;
        });
    }

    /** Crashes scheduled for this round, after its member set is fixed and before RoundOpen is sent. */
    private CompletionStage<Void> crashes(long round, double startS, Set<Integer> members) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (int i = 0; i < settings.churn().size(); i++) {
            SpsaRunSettings.Churn c = settings.churn().get(i);
            if (!c.due(round, startS) || c.action() != SpsaRunSettings.Churn.Action.CRASH || !executed.add(i)) {
                continue;
            }
            int id = pick(c.nodeId(), members);
            ActorSystem<Object> sys = byNodeId.get(id);
            if (sys == null || !members.contains(id)) {
                LOG.warn("churn at round {}: node {} is not a member, nothing to crash", round, id);
                continue;
            }
            LOG.info("churn at round {}: crashing node {} (ActorSystem terminated, no leave)", round, id);
            gone.add(id);
            sys.terminate();
            done = done.thenCombine(sys.getWhenTerminated().toCompletableFuture(), (a, b) -> null);
        }
        return done;
    }

    private Set<Integer> live() {
        Set<Integer> ids = new java.util.TreeSet<>(byNodeId.keySet());
        ids.removeAll(gone);
        return ids;
    }

    private int pick(int nodeId, Set<Integer> members) {
        if (nodeId != SpsaRunSettings.Churn.ANY) {
            return nodeId;
        }
        return members.stream().max(Comparator.naturalOrder()).orElse(-1);
    }

    @Override
    public void close() {
        // the coordinator first, so no SBR decisions are taken while the nodes go away
        List<ActorSystem<?>> all = new ArrayList<>();
        all.add(coordinatorSystem);
        synchronized (this) {
            all.addAll(nodeSystems);
        }
        for (ActorSystem<?> s : all) {
            s.terminate();
        }
        for (ActorSystem<?> s : all) {
            try {
                s.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("ActorSystem {} did not terminate in time: {}", s.address(), e.toString());
            }
        }
    }
}
