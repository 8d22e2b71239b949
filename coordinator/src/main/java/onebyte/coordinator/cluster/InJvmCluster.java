package onebyte.coordinator.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import onebyte.node.ClusterConfig;
import onebyte.node.MemberActor;
import org.slf4j.LoggerFactory;

/**
 * What the in-JVM launchers (SPSA's {@link EmbeddedCluster}, the federated
 * {@code FederatedCluster}) share: the coordinator's ActorSystem and one ActorSystem per node,
 * on loopback ports and joined into one Akka cluster; the node systems by the node id they were
 * admitted under; and the futures the churn driver waits on (a node ready for the next round, a
 * leave acknowledged).
 */
public abstract class InJvmCluster implements AutoCloseable, ClusterMembership {
    private final String host;
    private final String runName;
    private final CompletableFuture<RunResult> result = new CompletableFuture<>();
    private final ActorSystem<Void> coordinatorSystem;
    private final Address coordinatorAddress;
    private final List<ActorSystem<Object>> nodeSystems = new ArrayList<>();
    private final Map<Integer, ActorSystem<Object>> byNodeId = new ConcurrentHashMap<>();
    private final Set<Integer> gone = ConcurrentHashMap.newKeySet();
    private final Map<Integer, CompletableFuture<Void>> readyFutures = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Void>> leftFutures = new ConcurrentHashMap<>();
    private int started;

    /** A node being started: its label (1, 2, ... in start order) and its ActorSystem once {@code ActorSystem.create} returned. */
    protected record NodeStart(int label, CompletableFuture<ActorSystem<Object>> system) {}

    /**
     * Starts the coordinator {@code coordinator} builds (from its listener and the run's result)
     * in its own system; its listener is {@code listeners} applied to this cluster's own (which
     * completes the ready and left futures). {@code beforeStart} (may be null) is bound to this
     * cluster before the coordinator starts. {@code runName} names the run in a timeout,
     * {@code what} the coordinator in the log.
     */
    protected InJvmCluster(String host, String runName, String what, ChurnDriver beforeStart,
                           UnaryOperator<RunListener> listeners,
                           BiFunction<RunListener, CompletableFuture<RunResult>, Behavior<Object>> coordinator) {
        this.host = host;
        this.runName = runName;
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
        if (beforeStart != null) {
            beforeStart.bind(this);
        }
        coordinatorSystem = LoopbackCluster.startCoordinator(host, coordinator.apply(listeners.apply(own), result));
        coordinatorAddress = Cluster.get(coordinatorSystem).selfMember().address();
        LoggerFactory.getLogger(getClass()).info("{} at {}", what, coordinatorAddress);
    }

    public RunResult await(Duration timeout) throws Exception {
        return LoopbackCluster.await(result, timeout, runName);
    }

    public CompletableFuture<RunResult> result() {
        return result;
    }

    /** The coordinator's ActorSystem. */
    public ActorSystem<Void> coordinatorSystem() {
        return coordinatorSystem;
    }

    public String coordinatorPath() {
        return coordinatorAddress + "/user/coordinator";
    }

    /** The ActorSystem of an admitted node (its guardian is the node actor), or null. */
    public ActorSystem<Object> nodeSystem(int nodeId) {
        return byNodeId.get(nodeId);
    }

    /** Starts one node system whose guardian {@code node} builds; it joins the cluster. */
    protected final synchronized ActorSystem<Object> startNodeSystem(Function<NodeStart, Behavior<Object>> node) {
        int label = ++started;
        // completed once ActorSystem.create returns: admission can be reported before that (a race seen at 32 nodes)
        CompletableFuture<ActorSystem<Object>> self = new CompletableFuture<>();
        ActorSystem<Object> sys = ActorSystem.create(node.apply(new NodeStart(label, self)), ClusterConfig.SYSTEM_NAME,
                ClusterConfig.build(host, 0, "", List.of(), true));
        self.complete(sys);
        nodeSystems.add(sys);
        Cluster.get(sys).manager().tell(Join.create(coordinatorAddress));
        return sys;
    }

    /**
     * The node {@code start} was admitted as {@code nodeId}: registers its system under that id
     * once {@code ActorSystem.create} has returned it, then runs {@code then}.
     */
    protected final void registerAdmitted(NodeStart start, int nodeId, Runnable then) {
        start.system().thenAccept(sys -> {
            byNodeId.put(nodeId, sys);
            then.run();
        });
    }

    /** Starts a node off the caller's thread with {@code start} (given the future of its node id); completes when it is ready. */
    protected final CompletableFuture<Integer> startReadyMember(Consumer<CompletableFuture<Integer>> start) {
        CompletableFuture<Integer> id = new CompletableFuture<>();
        CompletableFuture.runAsync(() -> start.accept(id));
        return id.thenCompose(n -> readyFuture(n).thenApply(v -> n));
    }

    private CompletableFuture<Void> readyFuture(int nodeId) {
        return readyFutures.computeIfAbsent(nodeId, k -> new CompletableFuture<>());
    }

    private CompletableFuture<Void> leftFuture(int nodeId) {
        return leftFutures.computeIfAbsent(nodeId, k -> new CompletableFuture<>());
    }

    // ---- ClusterMembership (the scenario churn driver) ----------------------------------

    @Override
    public CompletableFuture<Void> leaveMember(int nodeId) {
        gone.add(nodeId);
        return LoopbackCluster.leave(byNodeId.get(nodeId), nodeId, new MemberActor.LeaveNow(), leftFuture(nodeId));
    }

    @Override
    public CompletableFuture<Void> crashMember(int nodeId) {
        gone.add(nodeId);
        return LoopbackCluster.crash(byNodeId.get(nodeId), nodeId);
    }

    @Override
    public Set<Integer> liveMembers() {
        Set<Integer> ids = new TreeSet<>(byNodeId.keySet());
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
