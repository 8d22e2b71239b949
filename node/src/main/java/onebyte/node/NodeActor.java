package onebyte.node;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import com.google.protobuf.ByteString;
import com.google.protobuf.GeneratedMessage;
import java.time.Duration;
import java.util.List;
import onebyte.core.data.Dataset;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.spsa.SpsaClient;
import onebyte.node.engine.Engines;
import onebyte.node.engine.ReplicaEngine;
import onebyte.node.engine.Workload;
import onebyte.node.engine.Workloads;
import onebyte.node.wire.Wire;
import onebyte.proto.Admit;
import onebyte.proto.Commit;
import onebyte.proto.CommitLogChunk;
import onebyte.proto.Contribution;
import onebyte.proto.JoinRefused;
import onebyte.proto.Leave;
import onebyte.proto.MetricsReport;
import onebyte.proto.RoundOpen;
import onebyte.proto.RunComplete;
import onebyte.proto.RunConfig;
import onebyte.proto.SnapshotChunk;
import onebyte.proto.SyncDone;
import onebyte.proto.SyncMode;

/**
 * A cluster member holding one model replica (SPEC §2). It asks the coordinator to admit it,
 * obtains θ by snapshot or replay, then in every round it is a member of computes S SPSA samples
 * on its own shard and sends one code per sample; it applies every commit in round order. How it
 * gets in and catches up (JoinRequest, refusal, Admit, snapshot or commit-log sync, SyncDone,
 * resync, the replica it keeps and returns with) is {@link JoinAndSync}'s.
 *
 * <p>All heavy work (building the workload, SPSA steps, applying commits) runs as jobs on
 * {@code onebyte.compute-dispatcher}, one at a time; messages that arrive while a job runs are
 * queued and handled in arrival order afterwards, so θ is never read and written concurrently.
 */
public final class NodeActor extends MemberActor {
    /** In-JVM callbacks (embedded driver, tests). Called on the actor's thread. */
    public interface Observer {
        default void admitted(int nodeId, Admit admit) {}

        default void synced(int nodeId, SyncDone done) {}

        default void contributed(int nodeId, long round, long replicaHash) {}

        default void finished(int nodeId, long appliedRounds, long replicaHash) {}

        /** The coordinator ended the run; {@code agrees}: this replica equals the coordinator's final θ. */
        default void runComplete(int nodeId, boolean agrees) {}

        /** The coordinator refused to admit this node (e.g. its node class); the node stops. */
        default void refused(String reason) {}
    }

    /**
     * @param coordinatorPath akka://onebyte@host:port/user/coordinator
     * @param sync how this node wants to obtain θ when it joins a running round sequence
     * @param shard the data shard it trains on; {@link #OWN_SHARD} = its node id's (a node that rejoins
     *     under a fresh node id keeps its old shard)
     * @param nodeClass the scenario's node class whose links the coordinator charges it; "" = the run's initial class
     * @param kept where the node records its replica as it goes, and the replica it returns with when
     *     {@link KeptReplica#returning} has one (it asks to be admitted again under its node id); null: neither
     */
    public record Params(String coordinatorPath, SyncMode sync, String label, Observer observer, int shard, String nodeClass,
                         KeptReplica kept) {
        /** {@link #shard} of a node that trains on the shard of its own node id. */
        public static final int OWN_SHARD = -1;

        public Params {
            if (observer == null) {
                observer = new Observer() {};
            }
            if (nodeClass == null) {
                nodeClass = "";
            }
        }

        /** A node that keeps no replica outside its system. */
        public Params(String coordinatorPath, SyncMode sync, String label, Observer observer, int shard, String nodeClass) {
            this(coordinatorPath, sync, label, observer, shard, nodeClass, null);
        }

        /** A node of the run's initial class. */
        public Params(String coordinatorPath, SyncMode sync, String label, Observer observer, int shard) {
            this(coordinatorPath, sync, label, observer, shard, "");
        }

        /** A node of the run's initial class that trains on the data shard of its own node id. */
        public Params(String coordinatorPath, SyncMode sync, String label, Observer observer) {
            this(coordinatorPath, sync, label, observer, OWN_SHARD, "");
        }
    }

    enum Phase { WAITING_UP, JOINING, SYNCING, ACTIVE, LEAVING, DONE }

    private final Params params;
    private final JoinAndSync sync;

    // read and set by JoinAndSync too
    Phase phase = Phase.WAITING_UP;
    RunConfig config;
    Workload workload;
    ParameterVector theta;
    long applied;           // θ = θ_applied (commits 0..applied-1 applied)
    double applySecondsSinceReport;
    long generatedSinceReport;
    boolean leaveRequested;

    private ReplicaEngine engine;
    private SpsaClient client; // this node's side of every round (core, SPEC §2)
    private Dataset shard;
    private onebyte.core.model.Model model;
    private long lastOpened = -1;   // last round we computed in

    private NodeActor(ActorContext<Object> ctx, TimerScheduler<Object> timers, Params params) {
        super(ctx, timers, params.coordinatorPath(), "node");
        this.params = params;
        this.sync = new JoinAndSync(this, params);
    }

    public static Behavior<Object> create(Params params) {
        return start((ctx, timers) -> new NodeActor(ctx, timers, params));
    }

    @Override
    protected void onUp() {
        if (phase == Phase.WAITING_UP) {
            phase = Phase.JOINING;
            join(sync.joinRequest(false), Duration.ofSeconds(2));
        }
    }

    @Override
    protected boolean joining() {
        return phase == Phase.JOINING;
    }

    @Override
    protected GeneratedMessage joinRequest() {
        return sync.joinRequest(false);
    }

    @Override
    protected void onWire(GeneratedMessage g) {
        if (g instanceof Admit a) {
            if (rejections.versionOk(a.getVersion(), "Admit")) sync.onAdmit(a);
        } else if (g instanceof JoinRefused r) {
            if (rejections.versionOk(r.getVersion(), "JoinRefused")) sync.onRefused(r);
        } else if (g instanceof Commit c) {
            if (rejections.versionOk(c.getVersion(), "Commit")) onCommit(c);
        } else if (g instanceof RoundOpen o) {
            if (rejections.versionOk(o.getVersion(), "RoundOpen")) onRoundOpen(o);
        } else if (g instanceof SnapshotChunk s) {
            if (rejections.versionOk(s.getVersion(), "SnapshotChunk")) sync.onSnapshotChunk(s);
        } else if (g instanceof CommitLogChunk l) {
            if (rejections.versionOk(l.getVersion(), "CommitLogChunk")) sync.onLogChunk(l);
        } else if (g instanceof Leave l) {
            if (rejections.versionOk(l.getVersion(), "Leave")) onLeaveAck(l);
        } else if (g instanceof RunComplete e) {
            if (rejections.versionOk(e.getVersion(), "RunComplete")) onRunComplete(e);
        } else {
            rejections.reject("unexpected:" + g.getClass().getSimpleName(), "nodes do not accept it");
        }
    }

    /**
     * Admitted for the first time: keeps the run's {@code c}, builds its workload off the actor thread,
     * then the engine, the SPSA client, the shard and the model, and runs {@code then}.
     */
    void build(RunConfig c, Runnable then) {
        config = c;
        job(() -> Workloads.forRun(c.getWorkload(), c.getRunSeed(), c.getNumParams()), w -> {
            workload = (Workload) w;
            engine = Engines.create(c);
            client = new SpsaClient(c.getRunSeed(), nodeId, c.getSamples(), c.getBatchSize());
            shard = workload.shard(params.shard() == Params.OWN_SHARD ? nodeId : params.shard());
            model = workload.newModel();
            then.run();
        });
    }

    // ---- rounds -------------------------------------------------------------------------

    private void onRoundOpen(RoundOpen o) {
        if (nodeId < 0 || !o.getMembersList().contains(nodeId)) {
            return;
        }
        if (phase != Phase.ACTIVE && phase != Phase.LEAVING) {
            rejections.reject("unexpected:RoundOpen", "round " + o.getRound() + " in phase " + phase);
            return;
        }
        if (o.getRound() != applied || o.getRound() <= lastOpened) {
            rejections.reject("unknown-round:RoundOpen", "round " + o.getRound() + " but the replica is at " + applied);
            if (o.getRound() > applied) {
                sync.resync("round " + o.getRound() + " opened, replica at " + applied);
            }
            return;
        }
        long round = o.getRound();
        lastOpened = round;
        job(() -> {
            long hash = Wire.hash8(theta.hash());
            long t0 = System.nanoTime();
            SpsaClient.Round out = client.round(round, theta, (size, seed) -> workload.draw(shard, size, seed),
                    (th, seed, batch) -> engine.sample(model, th, seed, batch));
            return new Computed(hash, out, (System.nanoTime() - t0) / 1e9);
        }, r -> {
            Computed c = (Computed) r;
            List<SpsaClient.Sample> samples = c.round().samples();
            // every SPSA sample generates z once (for both θ+εz and θ−εz, see SpsaEstimator)
            long generated = generatedSinceReport + (long) samples.size() * theta.length();
            send(MetricsReport.newBuilder().setVersion(Wire.VERSION).setNodeId(nodeId).setRound(c.round().round())
                    .setComputeSeconds(c.seconds()).setForwardPasses(c.round().forwardPasses()).setTrainLoss(c.round().meanLoss())
                    .setApplySeconds(applySecondsSinceReport).setGeneratedElements(generated).build());
            applySecondsSinceReport = 0;
            generatedSinceReport = 0;
            for (int k = 0; k < samples.size(); k++) {
                Contribution.Builder b = Contribution.newBuilder().setVersion(Wire.VERSION).setRound(c.round().round())
                        .setNodeId(nodeId).setSample(k).setCode(ByteString.copyFrom(samples.get(k).code()));
                if (k == 0) {
                    b.setReplicaHash(Wire.hash4(c.hash()));
                }
                send(b.build());
            }
            params.observer().contributed(nodeId, c.round().round(), c.hash());
        });
    }

    private record Computed(long hash, SpsaClient.Round round, double seconds) {}

    private void onCommit(Commit c) {
        if (phase == Phase.SYNCING) {
            sync.buffer(c);
            return;
        }
        if (phase != Phase.ACTIVE && phase != Phase.LEAVING) {
            return;
        }
        if (c.getRound() < applied) {
            rejections.reject("old-round:Commit", "commit " + c.getRound() + " but the replica is at " + applied);
            return;
        }
        if (c.getRound() > applied) {
            rejections.reject("unknown-round:Commit", "commit " + c.getRound() + " but the replica is at " + applied);
            sync.resync("missed commit " + applied);
            return;
        }
        ReplicaEngine.CommitEntries e = decode(c);
        if (e == null) {
            sync.resync("malformed commit " + c.getRound());
            return;
        }
        job(() -> {
            applyNow(e);
            return null;
        }, r -> {});
    }

    /** Runs on the compute thread. */
    void applyNow(ReplicaEngine.CommitEntries e) {
        long t0 = System.nanoTime();
        engine.apply(theta, e); // also when empty: weight decay applies every round (ReplicaUpdate)
        applied = e.round() + 1;
        sync.keep();
        applySecondsSinceReport += (System.nanoTime() - t0) / 1e9;
        generatedSinceReport += (long) e.n() * theta.length();
    }

    /** Validates a commit's fields; null (rejected and counted) when anything is off. */
    ReplicaEngine.CommitEntries decode(Commit c) {
        int n = c.getNodeIdsCount();
        int w = engine.codeWidth();
        if (c.getVersion() != Wire.VERSION) {
            rejections.reject("bad-version:Commit", "version " + c.getVersion());
            return null;
        }
        if (c.getN() != n || c.getSamplesCount() != n || c.getCodes().size() != n * w) {
            rejections.reject("bad-size:Commit", "n=" + c.getN() + " ids=" + n + " samples=" + c.getSamplesCount()
                    + " codes=" + c.getCodes().size() + " width=" + w);
            return null;
        }
        int[] ids = new int[n];
        int[] samples = new int[n];
        for (int j = 0; j < n; j++) {
            ids[j] = c.getNodeIds(j);
            samples[j] = c.getSamples(j);
            if (samples[j] >= config.getSamples()) {
                rejections.reject("bad-sample:Commit", "sample " + samples[j]);
                return null;
            }
            if (j > 0 && (ids[j] < ids[j - 1] || ids[j] == ids[j - 1] && samples[j] <= samples[j - 1])) {
                rejections.reject("unsorted:Commit", "entries not strictly sorted by (node, sample) in round " + c.getRound());
                return null;
            }
        }
        if (!(c.getLr() > 0) || Double.isInfinite(c.getLr())) {
            rejections.reject("bad-lr:Commit", "lr " + c.getLr());
            return null;
        }
        return new ReplicaEngine.CommitEntries(c.getRound(), ids, samples, c.getCodes().toByteArray(), w, c.getLr());
    }

    // ---- leaving ------------------------------------------------------------------------

    @Override
    protected void onLeaveNow() {
        leaveRequested = true;
        if (nodeId < 0) {
            phase = Phase.DONE;
            leaveCluster();
            return;
        }
        if (phase == Phase.ACTIVE) {
            phase = Phase.LEAVING;
        }
        send(Leave.newBuilder().setVersion(Wire.VERSION).setNodeId(nodeId).build());
        log.info("node {}: leaving after the rounds it is in", nodeId);
    }

    private void onLeaveAck(Leave l) {
        if (l.getNodeId() != nodeId || !leaveRequested) {
            rejections.reject("unexpected:Leave", "leave ack for " + l.getNodeId());
            return;
        }
        log.info("node {}: left at round {} (hash {})", nodeId, applied, theta == null ? "-" : theta.hashHex().substring(0, 16));
        finish();
    }

    private void onRunComplete(RunComplete e) {
        long h = theta == null ? 0 : Wire.hash8(theta.hash());
        log.info("node {}: run complete after {} rounds; replica at {} {} the coordinator's", nodeId, e.getRounds(), applied,
                h == e.getFinalHash() ? "agrees with" : "DIFFERS from");
        params.observer().runComplete(nodeId, h == e.getFinalHash());
        finish();
    }

    private void finish() {
        long h = theta == null ? 0 : Wire.hash8(theta.hash());
        params.observer().finished(nodeId, applied, h);
        log.info("node {}: bytes sent by type {}", nodeId, bytesSent());
        phase = Phase.DONE;
        leaveCluster();
    }

}
