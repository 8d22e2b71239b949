package onebyte.coordinator.fed;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import onebyte.coordinator.cluster.ChurnDriver;
import onebyte.coordinator.cluster.ClusterMembership;
import onebyte.coordinator.cluster.LoopbackCluster;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.core.spsa.ParameterVector;
import onebyte.node.ClusterConfig;
import onebyte.node.fed.FedNodeActor;
import onebyte.proto.SyncMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A federated run on an embedded cluster: the {@link FedCoordinator} and every
 * {@link FedNodeActor} as separate ActorSystems in this JVM on loopback ports, joined into one
 * Akka cluster, so every model chunk crosses Artery TCP serialized. Initial nodes train on the
 * shard of their own node id (1..N, whatever order they are admitted in). Churn comes from a {@link ChurnDriver} acting through {@link ClusterMembership}, the same
 * driver SPSA scenario runs use: a crash terminates a node's ActorSystem abruptly.
 */
public final class FederatedCluster implements AutoCloseable, ClusterMembership {
    private static final Logger LOG = LoggerFactory.getLogger(FederatedCluster.class);

    private final FedRunSettings settings;
    private final String host = "127.0.0.1";
    private final ActorSystem<Void> coordinatorSystem;
    private final CompletableFuture<RunResult> result = new CompletableFuture<>();
    private final Address coordinatorAddress;
    private final List<ActorSystem<Object>> nodeSystems = new ArrayList<>();
    private final Map<Integer, ActorSystem<Object>> byNodeId = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> shards = new ConcurrentHashMap<>();
    private final java.util.Set<Integer> gone = ConcurrentHashMap.newKeySet();
    private final Map<Integer, CompletableFuture<Void>> ready = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Void>> left = new ConcurrentHashMap<>();
    /**
     * Per node id, what it sent back per round (tests compare it with the core math). Kept only
     * when {@link #recordReturns}: every x̂_i of every round is d floats off the heap, which a long
     * run must not accumulate (200 rounds × 32 nodes × a 1M model would be 25 GB).
     */
    private final Map<Integer, Map<Long, ParameterVector>> computed = new ConcurrentHashMap<>();
    private final boolean recordReturns;
    private int started;

    private FederatedCluster(FedRunSettings settings, MetricsSink sink, RunListener extra, boolean recordReturns) {
        this.settings = settings;
        this.recordReturns = recordReturns;
        RunListener own = new RunListener() {
            @Override
            public void nodeSynced(RunResult.JoinRecord record) {
                readyFuture(record.nodeId()).complete(null);
            }

            @Override
            public void nodeLeft(int nodeId) {
                leftFuture(nodeId).complete(null);
            }
        };
        RunListener listener = extra == null ? own : RunListener.all(own, extra);
        coordinatorSystem = LoopbackCluster.startCoordinator(host, FedCoordinator.create(settings, sink, listener, result));
        coordinatorAddress = Cluster.get(coordinatorSystem).selfMember().address();
        LOG.info("embedded federated coordinator at {}", coordinatorAddress);
    }

    /**
     * Starts the coordinator and {@code initialNodes} nodes on shards 1..initialNodes; the run
     * starts when {@code settings.nodes()} are ready. {@code churn} (may be null) is bound to
     * this cluster and must also be among the listeners in {@code extra}.
     */
    public static FederatedCluster start(FedRunSettings settings, MetricsSink sink, RunListener extra, ChurnDriver churn,
                                         int initialNodes) {
        return start(settings, sink, extra, churn, initialNodes, true);
    }

    /** As {@link #start(FedRunSettings, MetricsSink, RunListener, ChurnDriver, int)}; {@code recordReturns}: keep every x̂_i for {@link #computed}. */
    public static FederatedCluster start(FedRunSettings settings, MetricsSink sink, RunListener extra, ChurnDriver churn,
                                         int initialNodes, boolean recordReturns) {
        FederatedCluster fc = new FederatedCluster(settings, sink, extra, recordReturns);
        if (churn != null) {
            churn.bind(fc);
        }
        for (int i = 1; i <= initialNodes; i++) {
            fc.startNode(FedNodeActor.Params.OWN_SHARD, "", new CompletableFuture<>());
        }
        return fc;
    }

    /** Runs to the end (or the timeout) with churn from {@code churn} (may be null) and shuts everything down. */
    public static RunResult run(FedRunSettings settings, MetricsSink sink, RunListener extra, ChurnDriver churn, Duration timeout)
            throws Exception {
        RunListener all = churn == null ? extra : extra == null ? churn : RunListener.all(churn, extra);
        try (FederatedCluster fc = start(settings, sink, all, churn, settings.nodes(), false)) {
            return fc.await(timeout);
        }
    }

    public RunResult await(Duration timeout) throws Exception {
        return LoopbackCluster.await(result, timeout, "federated " + settings.runId());
    }

    public CompletableFuture<RunResult> result() {
        return result;
    }

    public String coordinatorPath() {
        return coordinatorAddress + "/user/coordinator";
    }

    public ActorSystem<Void> coordinatorSystem() {
        return coordinatorSystem;
    }

    /** The ActorSystem of an admitted node (its guardian is the node actor), or null. */
    public ActorSystem<Object> nodeSystem(int nodeId) {
        return byNodeId.get(nodeId);
    }

    /** What node {@code nodeId} sent back as x̂_i, by round (empty unless the cluster records returns). */
    public Map<Long, ParameterVector> computed(int nodeId) {
        return computed.getOrDefault(nodeId, Map.of());
    }

    /** The data shard of an admitted node. */
    public int shardOf(int nodeId) {
        return shards.get(nodeId);
    }

    private CompletableFuture<Void> readyFuture(int nodeId) {
        return ready.computeIfAbsent(nodeId, k -> new CompletableFuture<>());
    }

    private CompletableFuture<Void> leftFuture(int nodeId) {
        return left.computeIfAbsent(nodeId, k -> new CompletableFuture<>());
    }

    /**
     * Starts one node of this class ("" = the run's initial class) on this shard
     * ({@link FedNodeActor.Params#OWN_SHARD}: the shard of the node id it is admitted under);
     * completes with its node id when it is admitted.
     */
    public synchronized CompletableFuture<Integer> startNode(int shard, String nodeClass, CompletableFuture<Integer> admitted) {
        int label = ++started;
        // completed once ActorSystem.create returns: admission can be reported before that (a race seen at 32 nodes)
        CompletableFuture<ActorSystem<Object>> self = new CompletableFuture<>();
        FedNodeActor.Observer observer = new FedNodeActor.Observer() {
            @Override
            public void admitted(int nodeId, int s) {
                self.thenAccept(sys -> {
                    byNodeId.put(nodeId, sys);
                    shards.put(nodeId, s);
                    admitted.complete(nodeId);
                });
            }

            @Override
            public void computed(int nodeId, long round, ParameterVector xHat) {
                if (recordReturns) {
                    computed.computeIfAbsent(nodeId, k -> new ConcurrentHashMap<>()).put(round, xHat);
                }
            }
        };
        FedNodeActor.Params p = new FedNodeActor.Params(coordinatorPath(), shard, "fed-" + label, observer, nodeClass);
        ActorSystem<Object> sys = ActorSystem.create(FedNodeActor.create(p), ClusterConfig.SYSTEM_NAME,
                ClusterConfig.build(host, 0, "", List.of(), true));
        self.complete(sys);
        nodeSystems.add(sys);
        Cluster.get(sys).manager().tell(Join.create(coordinatorAddress));
        return admitted;
    }

    @Override
    public CompletableFuture<Integer> startMember(SyncMode sync, int shard, String nodeClass) {
        CompletableFuture<Integer> id = new CompletableFuture<>();
        CompletableFuture.runAsync(() -> startNode(shard == ChurnDriver.ANY ? FedNodeActor.Params.OWN_SHARD : shard, nodeClass, id));
        return id.thenCompose(n -> readyFuture(n).thenApply(v -> n));
    }

    @Override
    public CompletableFuture<Void> leaveMember(int nodeId) {
        gone.add(nodeId);
        return LoopbackCluster.leave(byNodeId.get(nodeId), nodeId, new FedNodeActor.LeaveNow(), leftFuture(nodeId));
    }

    @Override
    public CompletableFuture<Void> crashMember(int nodeId) {
        gone.add(nodeId);
        return LoopbackCluster.crash(byNodeId.get(nodeId), nodeId);
    }

    @Override
    public java.util.Set<Integer> liveMembers() {
        java.util.Set<Integer> ids = new java.util.TreeSet<>(byNodeId.keySet());
        ids.removeAll(gone);
        return ids;
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
