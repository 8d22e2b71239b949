package onebyte.coordinator.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.ActorContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import onebyte.coordinator.clock.NodeLinks;
import onebyte.coordinator.cluster.AdmittedNode.State;
import onebyte.node.wire.Rejections;
import onebyte.node.wire.Wire;
import onebyte.proto.Admit;
import onebyte.proto.CommitLogRequest;
import onebyte.proto.JoinRefused;
import onebyte.proto.JoinRequest;
import onebyte.proto.RunConfig;
import onebyte.proto.SnapshotRequest;
import onebyte.proto.SyncDone;
import onebyte.proto.SyncMode;
import org.slf4j.Logger;

/**
 * How a node becomes a member of an SPSA run (SPEC §2, "Join"): a JoinRequest is answered with
 * an Admit (a new node id, never reused; the round it starts from; how it syncs), the node syncs
 * from the {@link CoordinatorReplica} (snapshot chunks or a range of the commit log, served here)
 * and reports SyncDone with its replica's hash: when that is the coordinator's hash of that
 * round, the node is ACTIVE (a member of the next round), else it is resynced by snapshot. A node
 * whose replica was found to differ in a round is resynced the same way.
 *
 * <p>Join requests that arrive before θ_0 is there wait ({@link ClusterCoordinator#waitsForLoad}),
 * and so do snapshot requests while a job changes θ ({@link #afterJob}). A retried JoinRequest of a syncing node
 * gets the same Admit again, counted apart from the rows ("retry:up:JoinRequest",
 * "retry:down:Admit"); a join of an unknown node class, or of a node that would have no shard of
 * its own ({@link SpsaRunSettings#shardSharedWith}), is refused with a JoinRefused that says why
 * ("refused:up:JoinRequest", "refused:down:JoinRefused"). While a resumed run is restored, joins
 * are admitted by its {@link RestoreAdmission}.
 */
final class SpsaAdmission {
    private final ClusterCoordinator<SpsaMember> run;
    private final ActorContext<Object> ctx;
    private final SpsaRunSettings s;
    private final MemberRoster<SpsaMember> roster;
    private final TrafficLedger ledger;
    private final Rejections rejections;
    private final Logger log;
    private final CoordinatorReplica replica;
    private final RestoreAdmission restoring; // null unless the run is resumed
    private final Consumer<SpsaMember> outOfRound;
    private final Consumer<SpsaMember> synced;
    // the path without the actor's incarnation uid: the same length in every run, so Admit's size is too
    private final String selfRef;
    private RunConfig runConfig;
    private final List<SnapshotRequest> deferredSnapshots = new ArrayList<>();
    private long hashMismatches;

    /**
     * Admission for {@code run}, syncing from {@code replica}, restored members by {@code restoring}
     * (null unless the run is resumed); {@code outOfRound}: a resynced member, which the open round
     * no longer waits for; {@code synced}: a member that synced and is ACTIVE.
     */
    SpsaAdmission(ClusterCoordinator<SpsaMember> run, SpsaRunSettings s, CoordinatorReplica replica, RestoreAdmission restoring,
                  Consumer<SpsaMember> outOfRound, Consumer<SpsaMember> synced) {
        this.run = run;
        this.ctx = run.ctx;
        this.s = s;
        this.roster = run.roster;
        this.ledger = run.ledger;
        this.rejections = run.rejections;
        this.log = run.log;
        this.replica = replica;
        this.restoring = restoring;
        this.outOfRound = outOfRound;
        this.synced = synced;
        this.selfRef = ctx.getSelf().path().toStringWithAddress(ctx.getSystem().address());
    }

    /** θ_0 (or the restored θ) is there: Admits carry {@code config}. */
    void ready(RunConfig config) {
        runConfig = config;
    }

    /** Whether nobody waits for admission or a snapshot (a state saved now would lose them). */
    boolean idle() {
        return deferredSnapshots.isEmpty() && !run.joinsWaiting();
    }

    /** Replicas found to differ (at SyncDone or in a round's first contribution). */
    long hashMismatches() {
        return hashMismatches;
    }

    void onJoin(JoinRequest j) {
        if (run.waitsForLoad(j, j.getNodeRef())) {
            return;
        }
        if (run.finished) {
            return;
        }
        ActorRef<Object> ref;
        try {
            ref = ActorRefResolver.get(ctx.getSystem()).resolveActorRef(j.getNodeRef());
        } catch (RuntimeException e) {
            rejections.reject("bad-ref:JoinRequest", "'" + j.getNodeRef() + "': " + e.getMessage());
            return;
        }
        if (j.getNodeRef().isEmpty() || ref.path().address().hasLocalScope()) {
            rejections.reject("bad-ref:JoinRequest", "'" + j.getNodeRef() + "' is not a remote node");
            return;
        }
        SpsaMember existing = roster.byRef(j.getNodeRef());
        if (existing != null && existing.state != State.GONE) {
            rejoin(existing, j);
            return;
        }
        NodeLinks.Links links = s.links().of(j.getNodeClass());
        if (links == null) {
            refuse("unknown-class", ref, j, "node class '" + j.getNodeClass() + "' is not one of " + s.links().classes().keySet());
            return;
        }
        RestoreAdmission.Claim claim = null;
        if (restoring != null && !run.started) {
            claim = restoring.claim(j, s.links().resolve(j.getNodeClass()), s.runSeed(), replica.rounds(), replica.hashes());
            if (claim.refusal() != null) {
                rejections.reject("unexpected:JoinRequest", claim.refusal());
                return;
            }
        }
        if (claim == null && !shardFor(roster.peekNextId(), ref, j)) {
            return;
        }
        SpsaMember m = new SpsaMember(claim != null ? claim.nodeId() : roster.nextId(), ref, s.links().resolve(j.getNodeClass()), links);
        roster.add(j.getNodeRef(), m);
        ledger.received(m, j);
        SyncMode mode;
        if (claim != null) {
            mode = claim.mode();
            m.replayFrom = claim.replayFrom();
            if (restoring.rejoinWait() != null) {
                log.info("coordinator: {}", RestoreAdmission.describe(claim, j, replica.rounds()));
            }
        } else if (!run.started && replica.rounds() == 0) {
            mode = SyncMode.SYNC_NONE;
        } else {
            mode = j.getSync() == SyncMode.SYNC_AUTO || j.getSync() == SyncMode.SYNC_NONE ? defaultSync() : j.getSync();
        }
        log.info("coordinator: admitting node {} ({}, class {}) from round {} by {}", m.id, j.getLabel(), m.nodeClass,
                replica.rounds(), mode);
        admit(m, mode, false);
    }

    /** A join request of a node already admitted and not gone: a retry while it syncs, else a request for a resync. */
    private void rejoin(SpsaMember m, JoinRequest j) {
        if (m.state == State.SYNCING) {
            // a retried request: same id, same answer; counted apart from the rows, since how
            // often a node retries depends on wall-clock timing
            ledger.answerApart("retry", m.ref, j, admission(m, m.sync, false));
        } else {
            ledger.received(m, j);
            log.warn("coordinator: node {} asks for a resync ({})", m.id, j.getLabel());
            resync(m);
        }
    }

    /**
     * Whether the node to be admitted under {@code id} has data of its own: in a multi-process run
     * a node beyond the workload's shards would train on another node's shard, so it is refused,
     * unless the run allows shards to be reused (then the coordinator says so). Embedded runs are
     * not checked: their churn driver tells each node its shard.
     */
    private boolean shardFor(int id, ActorRef<Object> ref, JoinRequest j) {
        int other = s.joinShards() == SpsaRunSettings.JoinShards.UNCHECKED ? 0 : s.shardSharedWith(id);
        if (other == 0) {
            return true;
        }
        int shards = s.workload().getPartition().getShards();
        if (s.joinShards() == SpsaRunSettings.JoinShards.WARN) {
            log.warn("coordinator: node {} ({}) trains on node {}'s shard: the run cuts its data into {} shards (data.reuse-shards)",
                    id, j.getLabel(), other, shards);
            return true;
        }
        refuse("no-shard", ref, j, "the run cuts its data into " + shards + " shards, one per node it plans (data.shards, or "
                + "nodes.initial + the scenario's joins), so node " + id + " would train on node " + other + "'s shard; "
                + "plan more nodes or set data.reuse-shards = true");
        return false;
    }

    /**
     * Refuses {@code j} as {@code kind} for {@code reason}: it would only retry, so it is told why,
     * once per request, counted apart from the rows.
     */
    private void refuse(String kind, ActorRef<Object> ref, JoinRequest j, String reason) {
        rejections.reject(kind + ":JoinRequest", reason);
        ledger.answerApart("refused", ref, j, JoinRefused.newBuilder().setVersion(Wire.VERSION).setReason(reason).build());
    }

    private SyncMode defaultSync() {
        switch (s.joinSync()) {
            case "snapshot":
                return SyncMode.SYNC_SNAPSHOT;
            case "replay":
                return SyncMode.SYNC_REPLAY;
            default:
                return replica.replayBytes() < 4L * replica.theta().length() ? SyncMode.SYNC_REPLAY : SyncMode.SYNC_SNAPSHOT;
        }
    }

    private void admit(SpsaMember m, SyncMode mode, boolean resync) {
        m.sync = mode;
        m.state = State.SYNCING;
        m.admitNanos = System.nanoTime();
        ledger.send(m, admission(m, mode, resync));
    }

    private Admit admission(SpsaMember m, SyncMode mode, boolean resync) {
        return Admit.newBuilder().setVersion(Wire.VERSION).setNodeId(m.id).setFirstRound(replica.rounds()).setSync(mode)
                .setCoordinatorRef(selfRef).setCoordinatorUid(ctx.getSelf().path().uid()).setConfig(runConfig).setResync(resync)
                .setReplayFrom(mode == SyncMode.SYNC_REPLAY ? m.replayFrom : 0).build();
    }

    /** {@code m}'s replica differs from the coordinator's ({@code kind}, {@code detail}: the rejection): counted, and resynced. */
    void replicaDiffers(SpsaMember m, String kind, String detail) {
        hashMismatches++;
        rejections.reject(kind, detail);
        resync(m);
    }

    private void resync(SpsaMember m) {
        m.replayFrom = 0;
        admit(m, SyncMode.SYNC_SNAPSHOT, true);
        outOfRound.accept(m);
    }

    void onSyncDone(SyncDone d) {
        SpsaMember m = roster.claimedBy(d.getNodeId(), "SyncDone", rejections);
        if (m == null) {
            return;
        }
        ledger.received(m, d);
        if (m.state != State.SYNCING) {
            rejections.reject("unexpected:SyncDone", "node " + m.id + " is " + m.state);
            return;
        }
        Long expected = replica.hashAt(d.getRound());
        boolean agrees = expected != null && expected == d.getReplicaHash();
        RunResult.JoinRecord join = new RunResult.JoinRecord(m.id, m.sync.name(), d.getRound(), d.getBytes(), d.getSeconds(), agrees);
        run.joins.add(join);
        run.listener.nodeSynced(join);
        log.info("coordinator: node {} synced by {} to round {}: {} bytes, {} s, hash {}", m.id, m.sync, d.getRound(),
                d.getBytes(), ClusterCoordinator.fmt(d.getSeconds()), agrees ? "agrees" : "DIFFERS");
        if (!agrees) {
            replicaDiffers(m, "hash-mismatch:SyncDone", "node " + m.id + " synced to a replica that differs");
            return;
        }
        m.state = State.ACTIVE;
        if (!m.everActive) {
            m.everActive = true;
            m.joinUncounted = run.started; // churn; the initial members synced before round 0 opened
        }
        synced.accept(m);
    }

    void onSnapshotRequest(SnapshotRequest r) {
        SpsaMember m = roster.claimedBy(r.getNodeId(), "SnapshotRequest", rejections);
        if (m == null) {
            return;
        }
        if (m.state != State.SYNCING) {
            rejections.reject("unexpected:SnapshotRequest", "node " + m.id + " is not syncing");
            return;
        }
        m.sync = SyncMode.SYNC_SNAPSHOT; // also a node whose own θ_0 did not match falls back to a snapshot
        if (run.jobs.busy()) {
            deferredSnapshots.add(r);
            return;
        }
        ledger.received(m, r);
        replica.snapshot().forEach(c -> ledger.send(m, c));
    }

    /** A job that changed θ is done: the snapshot requests that waited for it are served. */
    void afterJob() {
        if (!run.jobs.busy()) {
            List<SnapshotRequest> reqs = new ArrayList<>(deferredSnapshots);
            deferredSnapshots.clear();
            reqs.forEach(this::onSnapshotRequest);
        }
    }

    void onLogRequest(CommitLogRequest r) {
        SpsaMember m = roster.claimedBy(r.getNodeId(), "CommitLogRequest", rejections);
        if (m == null) {
            return;
        }
        ledger.received(m, r);
        int rounds = replica.rounds();
        if (m.state != State.SYNCING || r.getFromRound() > r.getToRound() || r.getToRound() > rounds) {
            rejections.reject("unknown-round:CommitLogRequest", "rounds [" + r.getFromRound() + ", " + r.getToRound()
                    + ") of " + rounds + " from node " + m.id + " (" + m.state + ")");
            return;
        }
        replica.log((int) r.getFromRound(), (int) r.getToRound()).forEach(c -> ledger.send(m, c));
    }
}
