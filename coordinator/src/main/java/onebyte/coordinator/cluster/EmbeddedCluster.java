package onebyte.coordinator.cluster;

import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.node.NodeActor;
import onebyte.proto.Admit;
import onebyte.proto.SyncMode;

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
public final class EmbeddedCluster extends InJvmCluster {
    private final Map<Integer, NodeRecord> nodeRecords = new ConcurrentHashMap<>();

    /** What the embedded driver observed of one node (from its own callbacks). */
    public static final class NodeRecord {
        public volatile long firstContributedRound = -1;
        public final Map<Long, Long> hashes = new ConcurrentHashMap<>();
        public volatile long finalHash;
        public volatile long finalRound = -1;
        public volatile Admit admit;
    }

    private EmbeddedCluster(SpsaRunSettings settings, MetricsSink sink, RunListener extra, String host) {
        this(settings, sink, extra, host, settings.churn().isEmpty() ? null : ChurnDriver.of(settings.churn()));
    }

    /** {@code churn} (may be null): the settings' own churn, bound to this cluster before the coordinator starts. */
    private EmbeddedCluster(SpsaRunSettings settings, MetricsSink sink, RunListener extra, String host, ChurnDriver churn) {
        this(settings, sink, extra, host, churn, null);
    }

    private EmbeddedCluster(SpsaRunSettings settings, MetricsSink sink, RunListener extra, String host, ChurnDriver churn,
                            RestorePoint restore) {
        super(host, settings.runId(), "embedded coordinator", churn, own -> {
            RunListener driver = churn == null ? own : RunListener.all(own, churn);
            return extra == null ? driver : RunListener.all(driver, extra);
        }, (listener, result) -> Coordinator.create(settings, sink, listener, result, restore));
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

    /**
     * A resumed run: the coordinator starts from {@code restore} (θ, counters, commit log), the
     * churn driver goes on from the events it had executed, and the live members of the restore
     * point start again one after another in node-id order, each on its shard and node class, and
     * sync by snapshot; then round {@link RestorePoint#round()} opens (see {@link Coordinator#create}).
     */
    public static EmbeddedCluster restore(SpsaRunSettings settings, MetricsSink sink, RunListener extra, ChurnDriver churn,
                                          RestorePoint restore) {
        churn.restore(restore.state().getChurnExecutedList(), restore.state().getNodeOfShardMap());
        EmbeddedCluster ec = new EmbeddedCluster(settings, sink, extra == null ? churn : RunListener.all(churn, extra), "127.0.0.1",
                null, restore);
        churn.bind(ec);
        CompletableFuture<Integer> previous = CompletableFuture.completedFuture(0);
        for (onebyte.proto.StateMember m : restore.state().getMembersList()) {
            previous = previous.thenCompose(id -> ec.startMember(SyncMode.SYNC_SNAPSHOT, m.getShard(), m.getNodeClass()));
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

    /** Per node id: what the node itself reported through its callbacks. */
    public Map<Integer, NodeRecord> nodes() {
        return nodeRecords;
    }

    /** Starts one more node; it joins the cluster and asks to be admitted with this sync mode. */
    public ActorSystem<Object> startNode(SyncMode sync) {
        return startNode(sync, NodeActor.Params.OWN_SHARD, "", new CompletableFuture<>());
    }

    private ActorSystem<Object> startNode(SyncMode sync, int shard, String nodeClass, CompletableFuture<Integer> admittedId) {
        return startNodeSystem(start -> {
            NodeActor.Observer observer = new NodeActor.Observer() {
                @Override
                public void admitted(int nodeId, Admit admit) {
                    NodeRecord r = nodeRecords.computeIfAbsent(nodeId, k -> new NodeRecord());
                    r.admit = admit;
                    registerAdmitted(start, nodeId, () -> admittedId.complete(nodeId));
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
            return NodeActor.create(new NodeActor.Params(coordinatorPath(), sync, "embedded-" + start.label(), observer, shard,
                    nodeClass));
        });
    }

    // ---- ClusterMembership (the scenario churn driver) ----------------------------------

    @Override
    public CompletableFuture<Integer> startMember(SyncMode sync, int shard, String nodeClass) {
        return startReadyMember(id -> startNode(sync, shard == ChurnDriver.ANY ? NodeActor.Params.OWN_SHARD : shard, nodeClass, id));
    }
}
