package onebyte.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.NodeActor.Phase;
import onebyte.node.engine.ReplicaEngine;
import onebyte.node.wire.Rejections;
import onebyte.node.wire.Wire;
import onebyte.proto.Admit;
import onebyte.proto.Commit;
import onebyte.proto.CommitLogChunk;
import onebyte.proto.CommitLogRequest;
import onebyte.proto.JoinRefused;
import onebyte.proto.JoinRequest;
import onebyte.proto.SnapshotChunk;
import onebyte.proto.SnapshotRequest;
import onebyte.proto.SyncDone;
import onebyte.proto.SyncMode;
import org.slf4j.Logger;

/**
 * How an SPSA node gets into a run and obtains θ (SPEC §2, "Join"), the node side of the
 * coordinator's admission: the JoinRequest it repeats until it is admitted (with the replica it
 * returns with, if {@link KeptReplica} has one), the refusal that stops it, the Admit, then the
 * sync (snapshot chunks, or a replay of the commit log from θ_0 or from its own replica) and the
 * live commits buffered meanwhile, and finally SyncDone, after which the node is ACTIVE. A node
 * whose replica falls behind asks for a resync ({@link #resync}) and goes through the same steps.
 *
 * <p>Runs on {@link NodeActor}'s thread and in its jobs; it reads and sets the node's phase, node
 * id, θ and applied round, and has the node build the run's workload ({@link NodeActor#build})
 * when it is admitted for the first time.
 */
final class JoinAndSync {
    private final NodeActor node;
    private final NodeActor.Params params;
    private final Rejections rejections;
    private final Logger log;

    private SyncMode syncMode;
    private long firstRound;
    private long replayFrom;        // Admit.replay_from: a returning node replays onto its own replica of this round
    private long syncStartNanos;
    private long syncBytes;
    private float[] snapshot;
    private final TreeMap<Long, Commit> buffered = new TreeMap<>();

    JoinAndSync(NodeActor node, NodeActor.Params params) {
        this.node = node;
        this.params = params;
        this.rejections = node.rejections;
        this.log = node.log;
    }

    JoinRequest joinRequest(boolean resync) {
        JoinRequest.Builder b = JoinRequest.newBuilder().setVersion(Wire.VERSION).setNodeRef(node.selfRef())
                .setSync(params.sync()).setLabel(params.label() + (resync ? " (resync)" : "")).setNodeClass(params.nodeClass());
        KeptReplica.Returning back = returning();
        if (back != null) {
            b.setRejoinNodeId(back.replica().nodeId()).setReplicaRound(back.replica().round()).setReplicaHash(back.hash())
                    .setRunSeed(back.replica().runSeed());
        }
        return b.build();
    }

    /** The replica this node comes back with, while it is not admitted yet (null: a fresh node). */
    private KeptReplica.Returning returning() {
        return params.kept() == null || node.nodeId >= 0 ? null : params.kept().returning();
    }

    /** Records the replica outside the system (see {@link KeptReplica}); on the actor's or the compute thread. */
    void keep() {
        if (params.kept() != null && node.theta != null && node.nodeId >= 0) {
            params.kept().keep(new KeptReplica.Replica(node.nodeId, node.config.getRunSeed(), node.theta, node.applied));
        }
    }

    void onRefused(JoinRefused r) {
        if (node.phase == Phase.DONE) {
            return; // the answer to a request retried before the first refusal arrived
        }
        if (node.phase != Phase.JOINING) {
            rejections.reject("unexpected:JoinRefused", "refusal while " + node.phase + ": " + r.getReason());
            return;
        }
        String reason = r.getReason().isBlank() ? "(no reason given)" : r.getReason();
        log.error("node: the coordinator refused to admit this node: {}", reason);
        node.stopJoining();
        node.phase = Phase.DONE;
        params.observer().refused(reason);
        node.ctx.getSystem().terminate();
    }

    void onAdmit(Admit a) {
        int nodeId = node.nodeId;
        if (!a.getResync() && a.getNodeId() == nodeId && node.phase != Phase.JOINING) {
            return; // the answer to a retried JoinRequest: already admitted
        }
        boolean expected = node.phase == Phase.JOINING || (a.getResync() && a.getNodeId() == nodeId);
        if (!expected) {
            rejections.reject("unexpected-admit:Admit",
                    "phase " + node.phase + ", admitted as " + a.getNodeId() + " while " + nodeId);
            return;
        }
        if (nodeId >= 0 && a.getNodeId() != nodeId) {
            rejections.reject("unknown-node:Admit", "admitted as " + a.getNodeId() + " but this node is " + nodeId);
            return;
        }
        node.stopJoining();
        node.addressCoordinatorBy(a.getCoordinatorRef(), a.getCoordinatorUid());
        KeptReplica.Returning back = returning();
        node.nodeId = a.getNodeId();
        node.phase = Phase.SYNCING;
        syncMode = a.getSync();
        firstRound = a.getFirstRound();
        replayFrom = a.getReplayFrom();
        if (back != null) {
            takeBack(back, a);
        } else {
            replayFrom = 0; // only a returning node has a replica of its own to replay onto; from θ_0 ends on the same θ
        }
        syncStartNanos = System.nanoTime();
        syncBytes = Wire.wireBytes(a);
        buffered.clear();
        snapshot = null;
        params.observer().admitted(node.nodeId, a);
        log.info("node {}: admitted from round {} ({}{})", node.nodeId, firstRound, syncMode, a.getResync() ? ", resync" : "");
        if (node.config == null) {
            node.build(a.getConfig(), this::startSync);
        } else {
            startSync();
        }
    }

    private void startSync() {
        switch (syncMode) {
            case SYNC_SNAPSHOT -> requestSnapshot();
            case SYNC_REPLAY, SYNC_NONE -> node.job(() -> replayFrom > 0 ? node.theta : node.workload.initialParameters(), p -> {
                if (replayFrom > 0) {
                    node.applied = replayFrom; // its own replica of that round (takeBack)
                    requestLog();
                    return;
                }
                node.theta = (ParameterVector) p;
                node.applied = 0;
                long h = Wire.hash8(node.theta.hash());
                if (h != node.config.getInitialHash()) {
                    log.warn("node {}: its θ_0 ({}) differs from the coordinator's ({}); syncing by snapshot instead of {}",
                            node.nodeId, Long.toHexString(h), Long.toHexString(node.config.getInitialHash()), syncMode);
                    syncMode = SyncMode.SYNC_SNAPSHOT;
                    startSync();
                    return;
                }
                requestLog();
            });
            default -> throw new IllegalStateException("admitted with sync " + syncMode);
        }
    }

    /** Snapshot: a fresh buffer for θ, and the request for its chunks. */
    private void requestSnapshot() {
        snapshot = new float[node.workload.numParams()];
        node.send(SnapshotRequest.newBuilder().setVersion(Wire.VERSION).setNodeId(node.nodeId).build());
    }

    /** Replay: asks for the commits from the round θ holds to the first round (none: the sync is done). */
    private void requestLog() {
        if (syncMode == SyncMode.SYNC_REPLAY && node.applied < firstRound) {
            node.send(CommitLogRequest.newBuilder().setVersion(Wire.VERSION).setNodeId(node.nodeId)
                    .setFromRound(node.applied).setToRound(firstRound).build());
        } else {
            finishSync();
        }
    }

    /**
     * Admitted while returning with {@code back}: a replay from the replica's round (the coordinator
     * found its hash to be the coordinator's) goes on from this very θ; anything else (a snapshot, an
     * admission under another id or of another run) leaves the replica unused.
     */
    private void takeBack(KeptReplica.Returning back, Admit a) {
        params.kept().returned();
        KeptReplica.Replica r = back.replica();
        if (back.replaysOnto(a)) {
            node.theta = r.theta();
            log.info("node {}: back under its node id; replaying {} commits onto its own replica of round {}", node.nodeId,
                    firstRound - replayFrom, replayFrom);
        } else {
            replayFrom = 0;
            log.info("node {}: admitted (was node {} with a replica of round {}); syncing by {}", node.nodeId, r.nodeId(),
                    r.round(), syncMode);
        }
    }

    void onSnapshotChunk(SnapshotChunk s) {
        if (node.phase != Phase.SYNCING || snapshot == null) {
            rejections.reject("unexpected:SnapshotChunk", "not waiting for a snapshot");
            return;
        }
        int len = s.getData().size() / 4;
        if (s.getTotal() != snapshot.length || s.getData().size() % 4 != 0 || (long) s.getOffset() + len > snapshot.length) {
            rejections.reject("bad-size:SnapshotChunk", "offset " + s.getOffset() + " len " + len + " total " + s.getTotal());
            return;
        }
        syncBytes += Wire.wireBytes(s);
        Wire.bytesToFloats(s.getData().toByteArray(), snapshot, s.getOffset());
        if (s.getLast()) {
            float[] values = snapshot;
            snapshot = null;
            long round = s.getRound();
            node.job(() -> ParameterVector.of(values), p -> {
                ParameterVector v = (ParameterVector) p;
                if (Wire.hash8(v.hash()) != s.getReplicaHash()) {
                    rejections.reject("bad-hash:SnapshotChunk", "snapshot of round " + round + " does not match its hash");
                    requestSnapshot();
                    return;
                }
                node.theta = v;
                node.applied = round;
                finishSync();
            });
        }
    }

    void onLogChunk(CommitLogChunk l) {
        if (node.phase != Phase.SYNCING || syncMode != SyncMode.SYNC_REPLAY) {
            rejections.reject("unexpected:CommitLogChunk", "not replaying");
            return;
        }
        syncBytes += Wire.wireBytes(l);
        List<ReplicaEngine.CommitEntries> entries = new ArrayList<>();
        for (Commit c : l.getCommitsList()) {
            ReplicaEngine.CommitEntries e = node.decode(c);
            if (e == null) {
                return; // rejected and counted; the replay cannot go on with a hole
            }
            entries.add(e);
        }
        node.job(() -> {
            for (ReplicaEngine.CommitEntries e : entries) {
                if (e.round() == node.applied) {
                    node.applyNow(e);
                }
            }
            return node.applied;
        }, r -> {
            if (l.getLast()) {
                if (node.applied < firstRound) {
                    throw new IllegalStateException("replay ended at round " + node.applied + " before " + firstRound);
                }
                finishSync();
            }
        });
    }

    /** A live commit that arrives while syncing: applied once θ is synced (from the first round on). */
    void buffer(Commit c) {
        if (c.getRound() >= firstRound) {
            buffered.put(c.getRound(), c);
        }
    }

    /** Applies buffered live commits, then reports SyncDone and becomes active. */
    private void finishSync() {
        node.job(() -> {
            for (Commit c : buffered.tailMap(node.applied, true).values()) {
                if (c.getRound() != node.applied) {
                    break;
                }
                ReplicaEngine.CommitEntries e = node.decode(c);
                if (e == null) {
                    break;
                }
                node.applyNow(e);
            }
            return Wire.hash8(node.theta.hash());
        }, h -> {
            buffered.headMap(node.applied, false).clear();
            if (!buffered.isEmpty() && buffered.firstKey() == node.applied) {
                finishSync(); // more commits arrived while applying
                return;
            }
            buffered.clear();
            double seconds = (System.nanoTime() - syncStartNanos) / 1e9;
            SyncDone done = SyncDone.newBuilder().setVersion(Wire.VERSION).setNodeId(node.nodeId).setRound(node.applied)
                    .setSync(syncMode).setBytes(syncBytes).setSeconds(seconds).setReplicaHash((Long) h).build();
            node.phase = node.leaveRequested ? Phase.LEAVING : Phase.ACTIVE;
            keep();
            node.applySecondsSinceReport = 0;
            node.generatedSinceReport = 0;
            node.send(done);
            params.observer().synced(node.nodeId, done);
            log.info("node {}: synced by {} to round {} in {} s, {} bytes, hash {}", node.nodeId, syncMode, node.applied,
                    String.format("%.3f", seconds), syncBytes, Long.toHexString((Long) h));
        });
    }

    /** The replica fell behind or got a commit it cannot apply: asks to be admitted again and synced. */
    void resync(String why) {
        log.warn("node {}: {}; asking for a resync", node.nodeId, why);
        node.phase = Phase.JOINING;
        node.join(joinRequest(true), Duration.ofSeconds(3));
    }
}
