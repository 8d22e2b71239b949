package onebyte.coordinator.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import onebyte.coordinator.scenario.ChurnEvent;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.proto.SyncMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes a {@link ChurnSchedule} on an embedded cluster, the same way for every algorithm (SPSA
 * and federated launchers both implement {@link ClusterMembership}), so every run of a comparison
 * faces the same membership history on the common virtual clock:
 *
 * <ul>
 *   <li>an event at virtual time T applies to the first round whose start virtual time is ≥ T
 *       (round r starts when round r−1 ended; round 0 at 0); an event at round N to round N;
 *   <li>join, rejoin and leave happen before the round's member set is fixed: a (re)joiner is a
 *       member of that round, a leaver is not (the round waits for both, at most 60 s); the
 *       (re)joiners of one round start one after another in schedule order, so they are admitted
 *       under the same node ids in every run (node ids seed SPSA directions and order the
 *       federated mean);
 *   <li>crash happens after the member set is fixed and before the round opens, so the round
 *       closes without the crashed node (at its deadline, or when the cluster reports it).
 * </ul>
 *
 * <p>Schedule ids vs node ids: the schedule names nodes 1..N (initial) and N+1, ... (joins in
 * order); a node's schedule id is its data shard. The coordinator assigns node ids and never
 * reuses one, so a rejoin starts a new node under a fresh node id that trains on the same shard
 * (any algorithm state it had, such as FedSpeed's ĝ_i, is gone: it starts from zero). A (re)joiner
 * names its event's node class, whose links the coordinator charges it on the virtual clock.
 */
public final class ChurnDriver implements RunListener {
    private static final Logger LOG = LoggerFactory.getLogger(ChurnDriver.class);

    private final List<ChurnEvent> events;
    private final boolean[] executed;
    private final Map<Integer, Integer> nodeOfShard = new HashMap<>();
    private ClusterMembership cluster;
    private ChurnSchedule schedule;
    private final java.util.Set<Integer> removed = new java.util.HashSet<>();

    /** Node id or shard "any": a join on its own node id's shard; a leave or crash of the newest member. */
    public static final int ANY = ChurnEvent.ANY;

    public ChurnDriver(ChurnSchedule schedule) {
        this(schedule.events());
        this.schedule = schedule;
    }

    /** The schedule it executes (null for a driver of {@link #of}). */
    public ChurnSchedule schedule() {
        return schedule;
    }

    private ChurnDriver(List<ChurnEvent> events) {
        this.events = List.copyOf(events);
        this.executed = new boolean[events.size()];
    }

    /**
     * The driver of a bare SPSA run's {@link SpsaRunSettings#churn()} (flags of {@code onebyte
     * embedded}, tests): node ids there are node ids, "any" is the newest member at that moment.
     */
    public static ChurnDriver of(List<SpsaRunSettings.Churn> churn) {
        List<ChurnEvent> events = new ArrayList<>();
        for (SpsaRunSettings.Churn c : churn) {
            ChurnEvent.Action a = switch (c.action()) {
                case JOIN_AUTO, JOIN_SNAPSHOT, JOIN_REPLAY -> ChurnEvent.Action.JOIN;
                case LEAVE -> ChurnEvent.Action.LEAVE;
                case CRASH -> ChurnEvent.Action.CRASH;
            };
            ChurnEvent.Sync sync = switch (c.action()) {
                case JOIN_SNAPSHOT -> ChurnEvent.Sync.SNAPSHOT;
                case JOIN_REPLAY -> ChurnEvent.Sync.REPLAY;
                default -> ChurnEvent.Sync.AUTO;
            };
            events.add(new ChurnEvent(c.byTime() ? c.atSeconds() : 0, c.byTime() ? ChurnEvent.NO_ROUND : c.round(), a,
                    c.nodeId(), sync, "", "churn " + c));
        }
        return new ChurnDriver(events);
    }

    /** Binds the driver to the launcher it acts through (before round 0). */
    public void bind(ClusterMembership membership) {
        this.cluster = membership;
    }

    /** The indexes of the schedule's events executed so far (for a {@link onebyte.proto.RunState}). */
    public synchronized List<Integer> executed() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < executed.length; i++) {
            if (executed[i]) {
                out.add(i);
            }
        }
        return out;
    }

    /** The node id each scheduled shard named so far is on. */
    public synchronized Map<Integer, Integer> nodeOfShard() {
        return Map.copyOf(nodeOfShard);
    }

    /** The shard node {@code nodeId} trains on: the shard a (re)join started it on, else its own id's. */
    public synchronized int shardOf(int nodeId) {
        return nodeOfShard.entrySet().stream().filter(e -> e.getValue() == nodeId).mapToInt(Map.Entry::getKey).findFirst()
                .orElse(nodeId);
    }

    /** Whether the driver crashed node {@code nodeId} or asked it to leave. */
    public synchronized boolean removed(int nodeId) {
        return removed.contains(nodeId);
    }

    /** Continues a restored run: {@code done} were executed, {@code shards} as {@link #nodeOfShard}. */
    public synchronized void restore(List<Integer> done, Map<Integer, Integer> shards) {
        for (int i : done) {
            if (i < 0 || i >= executed.length) {
                throw new IllegalArgumentException("churn event " + i + " of " + executed.length);
            }
            executed[i] = true;
        }
        nodeOfShard.clear();
        nodeOfShard.putAll(shards);
    }

    private static boolean due(ChurnEvent e, long round, double startS) {
        return e.byRound() ? e.atRound() == round : e.atSeconds() <= startS + 1e-12;
    }

    private int nodeId(int shard) {
        return nodeOfShard.computeIfAbsent(shard, s -> cluster.initialNodeId(s));
    }

    @Override
    public synchronized CompletionStage<Void> beforeRound(long round, double startS) {
        List<CompletableFuture<?>> waits = new ArrayList<>();
        CompletableFuture<Void> joins = CompletableFuture.completedFuture(null);
        for (int i = 0; i < events.size(); i++) {
            ChurnEvent e = events.get(i);
            if (executed[i] || e.action() == ChurnEvent.Action.CRASH || !due(e, round, startS)) {
                continue;
            }
            executed[i] = true;
            LOG.info("churn before round {} (starts at {} s): {}", round, String.format(java.util.Locale.ROOT, "%.3f", startS), e);
            switch (e.action()) {
                case JOIN, REJOIN -> {
                    int shard = e.nodeId();
                    joins = joins.thenCompose(previous -> bounded(cluster.startMember(sync(e.sync()), shard, e.nodeClass())
                            .thenAccept(id -> {
                                if (shard != ANY) {
                                    synchronized (this) {
                                        nodeOfShard.put(shard, id);
                                    }
                                }
                            }), e));
                }
                case LEAVE -> {
                    int id = e.nodeId() == ANY ? newest(cluster.liveMembers()) : nodeId(e.nodeId());
                    removed.add(id);
                    waits.add(bounded(cluster.leaveMember(id), e));
                }
                default -> throw new IllegalStateException(e.action().name());
            }
        }
        waits.add(joins);
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    @Override
    public synchronized CompletionStage<Void> beforeOpen(long round, double startS, Set<Integer> members) {
        List<CompletableFuture<?>> waits = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            ChurnEvent e = events.get(i);
            if (executed[i] || e.action() != ChurnEvent.Action.CRASH || !due(e, round, startS)) {
                continue;
            }
            executed[i] = true;
            int id = e.nodeId() == ANY ? newest(members) : nodeId(e.nodeId());
            if (!members.contains(id)) {
                LOG.warn("churn at round {}: node {} (shard {}) is not a member, nothing to crash", round, id, e.nodeId());
                continue;
            }
            LOG.info("churn at round {} (starts at {} s): {} = node id {}", round, String.format(java.util.Locale.ROOT, "%.3f", startS),
                    e, id);
            removed.add(id);
            waits.add(bounded(cluster.crashMember(id), e));
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    private static int newest(Set<Integer> ids) {
        return ids.stream().max(Integer::compare).orElse(-1);
    }

    private static SyncMode sync(ChurnEvent.Sync s) {
        return switch (s) {
            case AUTO -> SyncMode.SYNC_AUTO;
            case SNAPSHOT -> SyncMode.SYNC_SNAPSHOT;
            case REPLAY -> SyncMode.SYNC_REPLAY;
        };
    }

    /** Churn waits at most 60 s; an event that takes longer is logged and the run goes on. */
    private static CompletableFuture<Void> bounded(CompletableFuture<?> f, ChurnEvent e) {
        return f.orTimeout(60, TimeUnit.SECONDS).handle((ok, err) -> {
            if (err != null) {
                LOG.warn("churn: {} did not complete: {}", e, err.toString());
            }
            return null;
        });
    }
}
