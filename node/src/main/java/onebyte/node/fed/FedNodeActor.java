package onebyte.node.fed;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import com.google.protobuf.GeneratedMessage;
import java.time.Duration;
import onebyte.core.data.Dataset;
import onebyte.core.fed.FedSpeedClient;
import onebyte.core.fed.FedSpeedParams;
import onebyte.core.fed.FedSpeedTrace;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.MemberActor;
import onebyte.node.engine.Workload;
import onebyte.node.engine.Workloads;
import onebyte.node.wire.Wire;
import onebyte.node.wire.WireStats;
import onebyte.proto.FedAdmit;
import onebyte.proto.FedConfig;
import onebyte.proto.FedDone;
import onebyte.proto.FedJoin;
import onebyte.proto.FedLeave;
import onebyte.proto.FedModelChunk;
import onebyte.proto.FedReady;
import onebyte.proto.FedRoundOpen;
import onebyte.proto.FedRunComplete;

/**
 * A federated client (SPEC §4) as a cluster member: asks the coordinator to admit it, builds the
 * workload and its data shard, and for every round it is a participant of receives x^t in chunks,
 * runs K local FedSpeed (or FedAvg) steps on its shard and returns x̂_i in chunks, then a FedDone
 * with the round's cost.
 *
 * <p>The FedSpeed correction ĝ_i lives here (in {@link FedSpeedClient}), starts at 0 and is lost
 * with this actor: a node that leaves and rejoins comes back as a new actor (a fresh node id, the
 * same shard) whose ĝ_i starts at 0 again.
 *
 * <p>Local rounds run as jobs on {@code onebyte.compute-dispatcher}, one at a time; messages that
 * arrive meanwhile are queued and handled in order afterwards. Every received message is
 * validated (version, node id, round, chunk count, index and size) and rejections are counted in
 * the system's {@link WireStats}.
 */
public final class FedNodeActor extends MemberActor {
    private record Local(long round, ParameterVector xHat, double loss, int gradients, double seconds, float[] dual) {}

    /** In-JVM callbacks (embedded driver, tests). Called on the actor's thread. */
    public interface Observer {
        default void admitted(int nodeId, int shard) {}

        default void ready(int nodeId) {}

        /** A local round finished; {@code xHat} is what this node sends back. */
        default void computed(int nodeId, long round, ParameterVector xHat) {}

        /** After a FedSpeed local round (before x̂_i is sent back): a copy of this node's ĝ_i (for a resumable saved state). */
        default void dual(int nodeId, long round, float[] dual) {}

        default void finished(int nodeId) {}
    }

    /**
     * @param coordinatorPath akka://onebyte@host:port/user/coordinator
     * @param shard the data shard this node trains on (its identity in the churn schedule);
     *     {@link #OWN_SHARD} = the shard of the node id it is admitted under
     * @param label free text for logs
     * @param observer in-JVM callbacks (null = none)
     * @param nodeClass the scenario's node class whose links the coordinator charges it; "" = the run's initial class
     * @param dual the ĝ_i it starts with (a resumed run's saved state), null = 0
     */
    public record Params(String coordinatorPath, int shard, String label, Observer observer, String nodeClass, float[] dual) {
        /** {@link #shard} of a node that trains on the shard of its own node id (initial nodes). */
        public static final int OWN_SHARD = 0;

        public Params {
            if (observer == null) {
                observer = new Observer() {};
            }
            if (nodeClass == null) {
                nodeClass = "";
            }
        }

        /** A node of the run's initial class. */
        public Params(String coordinatorPath, int shard, String label, Observer observer) {
            this(coordinatorPath, shard, label, observer, "");
        }

        /** A node whose ĝ_i starts at 0. */
        public Params(String coordinatorPath, int shard, String label, Observer observer, String nodeClass) {
            this(coordinatorPath, shard, label, observer, nodeClass, null);
        }
    }

    private enum Phase { JOINING, BUILDING, ACTIVE, LEAVING, DONE }

    private final Params params;

    private Phase phase = Phase.JOINING;
    private int shardId = -1;
    private FedConfig config;
    private Dataset shard;
    private Model model;
    private final FedSpeedClient client = new FedSpeedClient();
    private FedChunks.Assembly incoming;
    private FedRoundOpen open;
    private long lastRound = -1;

    private FedNodeActor(ActorContext<Object> ctx, TimerScheduler<Object> timers, Params params) {
        super(ctx, timers, params.coordinatorPath(), "fed node");
        this.params = params;
    }

    public static Behavior<Object> create(Params params) {
        return start((ctx, timers) -> new FedNodeActor(ctx, timers, params));
    }

    @Override
    protected void onUp() {
        if (phase == Phase.JOINING) {
            join(joinRequest(), Duration.ofSeconds(2));
        } else {
            stopJoining();
        }
    }

    @Override
    protected boolean joining() {
        return phase == Phase.JOINING;
    }

    @Override
    protected GeneratedMessage joinRequest() {
        return FedJoin.newBuilder().setVersion(Wire.VERSION).setNodeRef(selfRef()).setShard(params.shard())
                .setLabel(params.label()).setNodeClass(params.nodeClass()).build();
    }

    @Override
    protected void onWire(GeneratedMessage g) {
        if (g instanceof FedAdmit a) {
            if (rejections.versionOk(a.getVersion(), "FedAdmit")) onAdmit(a);
        } else if (g instanceof FedRoundOpen o) {
            if (rejections.versionOk(o.getVersion(), "FedRoundOpen")) onRoundOpen(o);
        } else if (g instanceof FedModelChunk c) {
            if (rejections.versionOk(c.getVersion(), "FedModelChunk")) onChunk(c);
        } else if (g instanceof FedLeave l) {
            if (rejections.versionOk(l.getVersion(), "FedLeave")) onLeaveAck(l);
        } else if (g instanceof FedRunComplete e) {
            if (rejections.versionOk(e.getVersion(), "FedRunComplete")) finish("run complete after " + e.getRounds() + " rounds");
        } else {
            rejections.reject("unexpected:" + g.getClass().getSimpleName(), "federated nodes do not accept it");
        }
    }

    private void onAdmit(FedAdmit a) {
        if (phase != Phase.JOINING) {
            if (a.getNodeId() != nodeId) {
                rejections.reject("unexpected:FedAdmit", "admitted as " + a.getNodeId() + " while " + nodeId + " in " + phase);
            }
            return; // the answer to a retried join
        }
        int expectedShard = params.shard() == Params.OWN_SHARD ? a.getNodeId() : params.shard();
        if (a.getShard() != expectedShard) {
            rejections.reject("bad-shard:FedAdmit", "shard " + a.getShard() + ", asked for " + expectedShard);
            return;
        }
        stopJoining();
        addressCoordinatorBy(a.getCoordinatorRef(), a.getCoordinatorUid());
        nodeId = a.getNodeId();
        shardId = a.getShard();
        config = a.getConfig();
        phase = Phase.BUILDING;
        params.observer().admitted(nodeId, shardId);
        FedConfig c = config;
        job(() -> Workloads.forRun(c.getWorkload(), c.getRunSeed(), c.getNumParams()), w -> {
            Workload workload = (Workload) w;
            shard = workload.shard(shardId);
            model = workload.newModel();
            if (params.dual() != null) {
                client.restoreDual(ParameterVector.of(params.dual()));
            }
            phase = phase == Phase.LEAVING ? Phase.LEAVING : Phase.ACTIVE;
            send(FedReady.newBuilder().setVersion(Wire.VERSION).setNodeId(nodeId).build());
            params.observer().ready(nodeId);
            log.info("fed node {}: admitted with shard {} ({} examples)", nodeId, shardId, shard.size());
        });
    }

    private void onRoundOpen(FedRoundOpen o) {
        String bad = null;
        if (o.getNodeId() != nodeId) {
            bad = "unknown-node:FedRoundOpen";
        } else if (phase != Phase.ACTIVE && phase != Phase.LEAVING) {
            bad = "unexpected:FedRoundOpen";
        } else if (o.getRound() <= lastRound) {
            bad = "late-round:FedRoundOpen";
        } else if (o.getNumParams() != config.getNumParams() || o.getChunks() != FedChunks.count(config.getNumParams())) {
            bad = "bad-count:FedRoundOpen";
        } else if (!(o.getLr() > 0) || Double.isInfinite(o.getLr())) {
            bad = "bad-lr:FedRoundOpen";
        }
        if (bad != null) {
            rejections.reject(bad, "round " + o.getRound() + " for node " + o.getNodeId() + " (this node " + nodeId + ", phase "
                    + phase + ", last round " + lastRound + ", d " + o.getNumParams() + ", chunks " + o.getChunks() + ")");
            return;
        }
        lastRound = o.getRound();
        open = o;
        incoming = new FedChunks.Assembly(o.getRound(), nodeId, config.getNumParams());
    }

    private void onChunk(FedModelChunk c) {
        if (incoming == null) {
            rejections.reject("unexpected:FedModelChunk", "no round open for round " + c.getRound());
            return;
        }
        String bad = incoming.accept(c);
        if (bad != null) {
            rejections.reject(bad.substring(0, bad.indexOf(':')) + ":FedModelChunk", bad);
            return;
        }
        if (!incoming.complete()) {
            return;
        }
        ParameterVector xt = incoming.vector();
        incoming = null;
        FedRoundOpen o = open;
        FedConfig c0 = config;
        FedSpeedParams p = params(c0, o.getLr());
        long seed = FedSeeds.localSeed(c0.getRunSeed(), shardId, o.getRound());
        int id = nodeId;
        job(() -> {
            long t0 = System.nanoTime();
            ParameterVector xHat = client.localRound(model, xt, shard, p, seed);
            FedSpeedTrace trace = client.lastTrace();
            if (trace != null) trace.log("node " + id + " round " + o.getRound());
            float[] dual = p.correction() ? client.dualState(xt.length()).toArray() : null;
            return new Local(o.getRound(), xHat, client.lastMeanLoss(), client.lastGradientEvaluations(), (System.nanoTime() - t0) / 1e9,
                    dual);
        }, r -> {
            Local l = (Local) r;
            if (l.dual() != null) {
                params.observer().dual(nodeId, l.round(), l.dual());
            }
            for (FedModelChunk out : FedChunks.split(l.round(), nodeId, l.xHat())) {
                send(out);
            }
            send(FedDone.newBuilder().setVersion(Wire.VERSION).setRound(l.round()).setNodeId(nodeId).setTrainLoss(l.loss())
                    .setGradientPasses(l.gradients()).setComputeSeconds(l.seconds()).build());
            params.observer().computed(nodeId, l.round(), l.xHat());
        });
    }

    /** The client parameters a FedConfig and a round's learning rate describe. */
    public static FedSpeedParams params(FedConfig c, double lr) {
        return new FedSpeedParams(c.getLocalSteps(), lr, 1.0, c.getInvLambda(), c.getRho(), c.getAlpha(), c.getBatchSize(),
                c.getCorrection());
    }

    @Override
    protected void onLeaveNow() {
        if (nodeId < 0) {
            finish("left before it was admitted");
            return;
        }
        phase = Phase.LEAVING;
        send(FedLeave.newBuilder().setVersion(Wire.VERSION).setNodeId(nodeId).build());
        log.info("fed node {}: leaving after the round it is in", nodeId);
    }

    private void onLeaveAck(FedLeave l) {
        if (l.getNodeId() != nodeId || phase != Phase.LEAVING) {
            rejections.reject("unexpected:FedLeave", "leave ack for " + l.getNodeId() + " in " + phase);
            return;
        }
        finish("left");
    }

    private void finish(String why) {
        if (phase == Phase.DONE) {
            return;
        }
        phase = Phase.DONE;
        log.info("fed node {}: {}", nodeId, why);
        params.observer().finished(nodeId);
        leaveCluster();
    }
}
