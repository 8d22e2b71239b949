package onebyte.coordinator.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * churn schedule through a {@link ChurnDriver} (events on the virtual clock apply to the first
 * round starting at or after their time): a join at round r starts a new node system and holds round r until the node
 * has synced (it is a member of M_r); a leave at round r asks a node to leave gracefully and
 * holds round r until the coordinator acknowledged it (it is not in M_r); a crash at round r
 * terminates a member's ActorSystem abruptly (no coordinated shutdown, no Leave) after M_r was
 * fixed and before RoundOpen is sent, so round r closes at its deadline without it.
 */
public final class EmbeddedCluster implements AutoCloseable, ClusterMembership {
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
        RunListener own = new RunListener() {
            @Override
            public void nodeSynced(RunResult.JoinRecord record) {
                synced(record.nodeId()).complete(null);
            }

            @Override
            public void nodeLeft(int nodeId) {
                left(nodeId).complete(null);
            }
        };
        RunListener driver = own;
        if (!settings.churn().isEmpty()) {
            ChurnDriver churn = ChurnDriver.of(settings.churn());
            churn.bind(this);
            driver = RunListener.all(own, churn);
        }
        RunListener listener = extra == null ? driver : RunListener.all(driver, extra);
        coordinatorSystem = LoopbackCluster.startCoordinator(host, Coordinator.create(settings, sink, listener, result));
        coordinatorAddress = Cluster.get(coordinatorSystem).selfMember().address();
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

    /**
     * Starts the coordinator and the initial nodes with churn from a scenario's {@link ChurnDriver}
     * (bound to this cluster before any node starts; it is one of the listeners, after {@code extra}).
     */
    public static EmbeddedCluster start(SpsaRunSettings settings, MetricsSink sink, RunListener extra, ChurnDriver churn) {
        EmbeddedCluster ec = new EmbeddedCluster(settings, sink, extra == null ? churn : RunListener.all(churn, extra), "127.0.0.1");
        churn.bind(ec);
        for (int i = 0; i < settings.nodes(); i++) {
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
        return LoopbackCluster.await(result, timeout, settings.runId());
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
        return startNode(sync, NodeActor.Params.OWN_SHARD, "", new CompletableFuture<>());
    }

    private synchronized ActorSystem<Object> startNode(SyncMode sync, int shard, String nodeClass,
                                                       CompletableFuture<Integer> admittedId) {
        int label = ++started;
        // completed once ActorSystem.create returns: admission can be reported before that (a race seen at 32 nodes)
        CompletableFuture<ActorSystem<Object>> self = new CompletableFuture<>();
        NodeActor.Observer observer = new NodeActor.Observer() {
            @Override
            public void admitted(int nodeId, Admit admit) {
                NodeRecord r = nodeRecords.computeIfAbsent(nodeId, k -> new NodeRecord());
                r.admit = admit;
                self.thenAccept(sys -> {
                    byNodeId.put(nodeId, sys);
                    admittedId.complete(nodeId);
                });
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
        NodeActor.Params p = new NodeActor.Params(coordinatorPath(), sync, "embedded-" + label, observer, shard, nodeClass);
        ActorSystem<Object> sys = ActorSystem.create(NodeActor.create(p), ClusterConfig.SYSTEM_NAME,
                ClusterConfig.build(host, 0, "", List.of(), true));
        self.complete(sys);
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

    private Set<Integer> live() {
        Set<Integer> ids = new java.util.TreeSet<>(byNodeId.keySet());
        ids.removeAll(gone);
        return ids;
    }

    // ---- ClusterMembership (the scenario churn driver) ----------------------------------

    @Override
    public CompletableFuture<Integer> startMember(SyncMode sync, int shard, String nodeClass) {
        CompletableFuture<Integer> id = new CompletableFuture<>();
        CompletableFuture.runAsync(() -> startNode(sync, shard == ChurnDriver.ANY ? NodeActor.Params.OWN_SHARD : shard, nodeClass, id));
        return id.thenCompose(n -> synced(n).thenApply(v -> n));
    }

    @Override
    public CompletableFuture<Void> leaveMember(int nodeId) {
        gone.add(nodeId);
        return LoopbackCluster.leave(byNodeId.get(nodeId), nodeId, new NodeActor.LeaveNow(), left(nodeId));
    }

    @Override
    public CompletableFuture<Void> crashMember(int nodeId) {
        gone.add(nodeId);
        return LoopbackCluster.crash(byNodeId.get(nodeId), nodeId);
    }

    @Override
    public Set<Integer> liveMembers() {
        return live();
    }

    /** Initial nodes train on the shard of their own node id, 1..N. */
    @Override
    public int initialNodeId(int shard) {
        return shard;
    }

    @Override
    public void close() {
        List<ActorSystem<?>> all = new ArrayList<>();
        all.add(coordinatorSystem);
        synchronized (this) {
            all.addAll(nodeSystems);
        }
        LoopbackCluster.terminateAll(all);
    }
}
