package onebyte.coordinator.fed;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import onebyte.coordinator.cluster.ChurnDriver;
import onebyte.coordinator.cluster.ClusterMembership;
import onebyte.coordinator.cluster.InJvmCluster;
import onebyte.coordinator.cluster.RestorePoint;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.fed.FedNodeActor;
import onebyte.proto.SyncMode;

/**
 * A federated run on an embedded cluster: the {@link FedCoordinator} and every
 * {@link FedNodeActor} as separate ActorSystems in this JVM on loopback ports, joined into one
 * Akka cluster, so every model chunk crosses Artery TCP serialized. Initial nodes train on the
 * shard of their own node id (1..N, whatever order they are admitted in). Churn comes from a {@link ChurnDriver} acting through {@link ClusterMembership}, the same
 * driver SPSA scenario runs use: a crash terminates a node's ActorSystem abruptly.
 */
public final class FederatedCluster extends InJvmCluster {
    private final Map<Integer, Integer> shards = new ConcurrentHashMap<>();
    /**
     * Per node id, what it sent back per round (tests compare it with the core math). Kept only
     * when {@link #recordReturns}: every x̂_i of every round is d floats off the heap, which a long
     * run must not accumulate (200 rounds × 32 nodes × a 1M model would be 25 GB).
     */
    private final Map<Integer, Map<Long, ParameterVector>> computed = new ConcurrentHashMap<>();
    private final boolean recordReturns;
    /** Each node's latest ĝ_i (FedSpeed), as the nodes report it after every local round: what a saved state keeps of them. */
    private final Map<Integer, float[]> nodeDuals;

    private FederatedCluster(FedRunSettings settings, MetricsSink sink, RunListener extra, boolean recordReturns,
                             RestorePoint restore, Map<Integer, float[]> nodeDuals) {
        super("127.0.0.1", "federated " + settings.runId(), "embedded federated coordinator", null,
                own -> extra == null ? own : RunListener.all(own, extra),
                (listener, result) -> FedCoordinator.create(settings, sink, listener, result, restore, nodeDuals));
        this.recordReturns = recordReturns;
        this.nodeDuals = nodeDuals;
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
        FederatedCluster fc = new FederatedCluster(settings, sink, extra, recordReturns, null, new ConcurrentHashMap<>());
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

    /**
     * A resumed run from {@code restore} with churn from {@code churn} (which goes on from the
     * events it had executed): the coordinator starts from the saved x^t, counters and server
     * duals, the saved live members start again one after another in node-id order on their
     * shards and classes, each with its saved ĝ_i; then round {@link RestorePoint#round()} opens.
     * Runs to the end (or the timeout) and shuts everything down.
     */
    public static RunResult resume(FedRunSettings settings, MetricsSink sink, RunListener extra, ChurnDriver churn,
                                   RestorePoint restore, Duration timeout) throws Exception {
        churn.restore(restore.state().getChurnExecutedList(), restore.state().getNodeOfShardMap());
        RunListener all = extra == null ? churn : RunListener.all(churn, extra);
        try (FederatedCluster fc = new FederatedCluster(settings, sink, all, false, restore, new ConcurrentHashMap<>())) {
            churn.bind(fc);
            CompletableFuture<Integer> previous = CompletableFuture.completedFuture(0);
            for (onebyte.proto.StateMember m : restore.state().getMembersList()) {
                float[] dual = m.getLocalState().isEmpty() ? null : floats(m.getLocalState());
                previous = previous.thenCompose(id -> fc.startReadyMember(next -> fc.startNode(m.getShard(), m.getNodeClass(), dual, next)));
            }
            return fc.await(timeout);
        }
    }

    private static float[] floats(com.google.protobuf.ByteString bytes) {
        float[] v = new float[bytes.size() / 4];
        onebyte.node.wire.Wire.bytesToFloats(bytes.toByteArray(), v, 0);
        return v;
    }

    /** What node {@code nodeId} sent back as x̂_i, by round (empty unless the cluster records returns). */
    public Map<Long, ParameterVector> computed(int nodeId) {
        return computed.getOrDefault(nodeId, Map.of());
    }

    /** The data shard of an admitted node. */
    public int shardOf(int nodeId) {
        return shards.get(nodeId);
    }

    /**
     * Starts one node of this class ("" = the run's initial class) on this shard
     * ({@link FedNodeActor.Params#OWN_SHARD}: the shard of the node id it is admitted under);
     * completes with its node id when it is admitted.
     */
    public CompletableFuture<Integer> startNode(int shard, String nodeClass, CompletableFuture<Integer> admitted) {
        return startNode(shard, nodeClass, null, admitted);
    }

    private CompletableFuture<Integer> startNode(int shard, String nodeClass, float[] dual, CompletableFuture<Integer> admitted) {
        startNodeSystem(start -> {
            FedNodeActor.Observer observer = new FedNodeActor.Observer() {
                @Override
                public void admitted(int nodeId, int s) {
                    registerAdmitted(start, nodeId, () -> {
                        shards.put(nodeId, s);
                        admitted.complete(nodeId);
                    });
                }

                @Override
                public void dual(int nodeId, long round, float[] values) {
                    nodeDuals.put(nodeId, values);
                }

                @Override
                public void computed(int nodeId, long round, ParameterVector xHat) {
                    if (recordReturns) {
                        computed.computeIfAbsent(nodeId, k -> new ConcurrentHashMap<>()).put(round, xHat);
                    }
                }
            };
            return FedNodeActor.create(new FedNodeActor.Params(coordinatorPath(), shard, "fed-" + start.label(), observer,
                    nodeClass, dual));
        });
        return admitted;
    }

    @Override
    public CompletableFuture<Integer> startMember(SyncMode sync, int shard, String nodeClass) {
        return startReadyMember(id -> startNode(shard == ChurnDriver.ANY ? FedNodeActor.Params.OWN_SHARD : shard, nodeClass, id));
    }
}
