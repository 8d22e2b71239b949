package onebyte.coordinator.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import onebyte.coordinator.clock.NodeLinks;
import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.proto.WorkloadSpec;

/**
 * Everything one SPSA cluster run needs. A plain record without defaults of its own: a scenario's
 * settings come from {@code ScenarioSettings.spsa}, runs without a scenario file start from
 * {@code ScenarioSettings.spsaDefaults()} (scenario-defaults.conf) and change what they need.
 *
 * @param runId name of the run (metrics rows carry it)
 * @param runSeed the one seed of the run: data, partition, θ_0, directions
 * @param nodes initial nodes; round 0 opens when this many are admitted and synced
 * @param rounds rounds to run at most
 * @param samplesPerNode S, SPSA samples per node per round
 * @param eps SPSA perturbation scale ε
 * @param lr learning rate η of round 0
 * @param lrDecay η_r = η · lrDecay^r (1 = constant, as MeZO); every replica takes η_r from the round's commit
 * @param codec log8 | f32 | sign | paper
 * @param distribution gaussian | rademacher
 * @param chunkSize direction chunk size (part of the run's identity)
 * @param batchSize minibatch size per sample
 * @param evalEvery evaluate the coordinator's replica every E rounds (and at the last)
 * @param roundDeadline a round closes at this deadline even if members did not report
 * @param workload model, data, partition and θ_0, see onebyte.node.engine.Workloads
 * @param engine replica engine name ("core", or "class:&lt;factory&gt;")
 * @param joinSync default sync of nodes joining a running cluster: auto | snapshot | replay
 * @param churn scheduled membership events (embedded runs execute them)
 * @param links each node class's links for virtual time; a node names its class when it joins
 * @param threads threads each replica uses to apply a commit and to evaluate an SPSA sample (with 2 or more a
 *     helper thread builds θ ± εz ahead of the forward computation); results do not depend on it
 * @param weightDecay weight decay applied identically by every replica
 * @param sharedRegeneration replicas in one JVM (embedded nodes and the coordinator's) compute each chunk of a
 *     round's update once and the others take it when their chunk's bits are the same (results do not depend on it;
 *     see onebyte.core.spsa.SharedReplicaUpdate)
 * @param workCosts unit costs for the virtual clock ({@link VirtualClock}: counted work × unit
 *     costs); null = each node's measured compute and apply seconds
 * @param maxVirtualSeconds stop after the round at whose end the virtual clock reached this (0 = no limit)
 * @param maxBytes stop after the round at whose end bytes_cum reached this (0 = no limit)
 * @param joinShards what the coordinator does with a joining node whose node id is beyond the
 *     workload's shards ({@link #shardSharedWith}): nothing in an embedded run (its churn driver
 *     hands a rejoining node its old shard), refuse it or admit it with a warning in a multi-process
 *     run (the latter with {@code data.reuse-shards})
 */
public record SpsaRunSettings(
        String runId,
        long runSeed,
        int nodes,
        long rounds,
        int samplesPerNode,
        float eps,
        double lr,
        double lrDecay,
        String codec,
        String distribution,
        int chunkSize,
        int batchSize,
        int evalEvery,
        Duration roundDeadline,
        WorkloadSpec workload,
        String engine,
        String joinSync,
        List<Churn> churn,
        NodeLinks links,
        int threads,
        double weightDecay,
        boolean sharedRegeneration,
        VirtualClock.WorkCosts workCosts,
        double maxVirtualSeconds,
        long maxBytes,
        JoinShards joinShards) {

    /** See {@link SpsaRunSettings#joinShards}. */
    public enum JoinShards {
        /** Not checked: the nodes are told their shards (embedded runs). */
        UNCHECKED,
        /** A node beyond the shards is refused with a JoinRefused that says why. */
        REFUSE,
        /** A node beyond the shards is admitted; the coordinator logs whose shard it reads. */
        WARN
    }

    public SpsaRunSettings {
        churn = List.copyOf(churn);
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(roundDeadline, "roundDeadline");
        if (nodes < 1) throw new IllegalArgumentException("nodes must be >= 1, got " + nodes);
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        if (samplesPerNode < 1) throw new IllegalArgumentException("samplesPerNode must be >= 1, got " + samplesPerNode);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
        if (!(lr > 0)) throw new IllegalArgumentException("lr must be > 0, got " + lr);
        if (!(lrDecay > 0 && lrDecay <= 1)) throw new IllegalArgumentException("lrDecay must be in (0, 1], got " + lrDecay);
        if (chunkSize < 1) throw new IllegalArgumentException("chunkSize must be >= 1, got " + chunkSize);
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        if (evalEvery < 1) throw new IllegalArgumentException("evalEvery must be >= 1, got " + evalEvery);
        if (roundDeadline.isNegative() || roundDeadline.isZero()) throw new IllegalArgumentException("roundDeadline must be > 0");
        if (!List.of("auto", "snapshot", "replay").contains(joinSync)) {
            throw new IllegalArgumentException("joinSync must be auto, snapshot or replay, got " + joinSync);
        }
        if (links == null) throw new IllegalArgumentException("links must be given");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        new RunBudget(rounds, maxVirtualSeconds, maxBytes); // checks the budgets
    }

    /** When the run stops: rounds, virtual seconds or bytes on the wire, whichever is reached first. */
    public RunBudget budget() {
        return new RunBudget(rounds, maxVirtualSeconds, maxBytes);
    }

    /**
     * One scheduled membership change, either at a round or on the virtual clock. A join or leave
     * at round r happens before M_r is fixed (a joiner is a member of round r, a leaver is not); a
     * crash at round r happens after M_r is fixed and before RoundOpen, so round r closes at its
     * deadline. An event at virtual time t applies to the first round that starts at or after t
     * (round r starts at the virtual time round r−1 ended; round 0 at 0).
     *
     * @param round the round, or {@link #BY_TIME} for events on the virtual clock
     * @param atSeconds virtual seconds for events on the clock, NaN for events at a round
     */
    public record Churn(long round, double atSeconds, Action action, int nodeId) {
        /** nodeId for leave/crash events that take any current member (the newest). */
        public static final int ANY = -1;
        /** round of an event on the virtual clock. */
        public static final long BY_TIME = -1;

        public enum Action { JOIN_AUTO, JOIN_SNAPSHOT, JOIN_REPLAY, LEAVE, CRASH }

        public Churn {
            if (round == BY_TIME ? !(atSeconds >= 0) : round < 0 || !Double.isNaN(atSeconds)) {
                throw new IllegalArgumentException("a churn event needs a round >= 0 or a virtual time >= 0, got round "
                        + round + ", time " + atSeconds);
            }
        }

        /** An event at a round. */
        public Churn(long round, Action action, int nodeId) {
            this(round, Double.NaN, action, nodeId);
        }

        /** An event on the virtual clock. */
        public static Churn atTime(double seconds, Action action, int nodeId) {
            return new Churn(BY_TIME, seconds, action, nodeId);
        }

        public boolean byTime() {
            return round == BY_TIME;
        }

        /** Due before the round that starts at this virtual time. */
        public boolean due(long r, double roundStartS) {
            return byTime() ? atSeconds <= roundStartS : round == r;
        }

        /**
         * Parses "WHEN:ACTION[:NODE]": WHEN is a round ("20") or virtual seconds ("12.5s");
         * ACTION is join | join-snapshot | join-replay | leave | crash; NODE an id or "any".
         * E.g. "20:join-snapshot", "40:crash:2", "12.5s:leave".
         */
        public static Churn parse(String s) {
            String[] p = s.trim().split(":");
            if (p.length < 2 || p.length > 3) {
                throw new IllegalArgumentException("churn event must be WHEN:ACTION[:NODE], got '" + s + "'");
            }
            Action a = switch (p[1].toLowerCase(Locale.ROOT)) {
                case "join", "join-auto" -> Action.JOIN_AUTO;
                case "join-snapshot" -> Action.JOIN_SNAPSHOT;
                case "join-replay" -> Action.JOIN_REPLAY;
                case "leave" -> Action.LEAVE;
                case "crash" -> Action.CRASH;
                default -> throw new IllegalArgumentException("unknown churn action '" + p[1]
                        + "' (join | join-snapshot | join-replay | leave | crash)");
            };
            int node = p.length == 3 && !p[2].equals("any") ? Integer.parseInt(p[2]) : ANY;
            String when = p[0].trim().toLowerCase(Locale.ROOT);
            return when.endsWith("s") ? atTime(Double.parseDouble(when.substring(0, when.length() - 1)), a, node)
                    : new Churn(Long.parseLong(when), a, node);
        }
    }

    /**
     * What every replica of the run is built from (sent to the nodes in their Admit): these
     * settings, the model's parameter count {@code numParams} and the hash of θ_0 {@code initialHash}.
     */
    public onebyte.proto.RunConfig runConfig(int numParams, long initialHash) {
        return onebyte.proto.RunConfig.newBuilder().setRunSeed(runSeed).setSamples(samplesPerNode).setEps(eps)
                .setCodec(codec).setDistribution(distribution).setChunkSize(chunkSize)
                .setBatchSize(batchSize).setWorkload(workload).setNumParams(numParams).setInitialHash(initialHash)
                .setThreads(threads).setWeightDecay(weightDecay).setEngine(engine).build();
    }

    /**
     * The node whose data node {@code nodeId} would train on besides its own: node ids read the
     * workload's V shards as floorMod(id, V) (onebyte.core.data.Partitioner), so node V + 1 reads
     * node 1's shard; 0 when its shard is its own (id ≤ V, or a plug-in workload, whose factory
     * cuts its own shards).
     */
    public int shardSharedWith(int nodeId) {
        int v = workload.getPartition().getShards();
        if (!workload.getFactory().isEmpty() || v <= 0 || nodeId <= v) {
            return 0;
        }
        int shard = Math.floorMod(nodeId, v);
        return shard == 0 ? v : shard;
    }

    /** The learning rate of round r: η · lrDecay^r (StrictMath, so every JVM computes the same bits). */
    public double lrAt(long round) {
        return lrDecay == 1.0 ? lr : lr * StrictMath.pow(lrDecay, round);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.runId = runId; b.runSeed = runSeed; b.nodes = nodes; b.rounds = rounds; b.samplesPerNode = samplesPerNode;
        b.eps = eps; b.lr = lr; b.lrDecay = lrDecay; b.codec = codec; b.distribution = distribution; b.chunkSize = chunkSize;
        b.batchSize = batchSize; b.evalEvery = evalEvery; b.roundDeadline = roundDeadline; b.workload = workload;
        b.engine = engine; b.joinSync = joinSync; b.churn = new ArrayList<>(churn); b.links = links;
        b.threads = threads; b.weightDecay = weightDecay;
        b.sharedRegeneration = sharedRegeneration; b.workCosts = workCosts; b.maxVirtualSeconds = maxVirtualSeconds;
        b.maxBytes = maxBytes; b.joinShards = joinShards;
        return b;
    }

    /** Builder of settings; every value must be set (start from {@code ScenarioSettings.spsaDefaults()} or {@link #toBuilder}). */
    public static final class Builder {
        private String runId;
        private long runSeed;
        private int nodes;
        private long rounds;
        private int samplesPerNode;
        private float eps;
        private double lr;
        private double lrDecay = 1.0;
        private String codec;
        private String distribution;
        private int chunkSize;
        private int batchSize;
        private int evalEvery;
        private Duration roundDeadline;
        private WorkloadSpec workload;
        private String engine;
        private String joinSync;
        private List<Churn> churn = new ArrayList<>();
        private NodeLinks links;
        private int threads;
        private double weightDecay;
        private boolean sharedRegeneration;
        private VirtualClock.WorkCosts workCosts;
        private double maxVirtualSeconds;
        private long maxBytes;
        private JoinShards joinShards = JoinShards.UNCHECKED;

        public Builder runId(String v) { runId = v; return this; }
        public Builder runSeed(long v) { runSeed = v; return this; }
        public Builder nodes(int v) { nodes = v; return this; }
        public Builder rounds(long v) { rounds = v; return this; }
        public Builder samplesPerNode(int v) { samplesPerNode = v; return this; }
        public Builder eps(float v) { eps = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder lrDecay(double v) { lrDecay = v; return this; }
        public Builder codec(String v) { codec = v; return this; }
        public Builder distribution(String v) { distribution = v; return this; }
        public Builder chunkSize(int v) { chunkSize = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder evalEvery(int v) { evalEvery = v; return this; }
        public Builder roundDeadline(Duration v) { roundDeadline = v; return this; }
        public Builder workload(WorkloadSpec v) { workload = v; return this; }
        public Builder engine(String v) { engine = v; return this; }
        public Builder joinSync(String v) { joinSync = v; return this; }
        public Builder churn(List<Churn> v) { churn = new ArrayList<>(v); return this; }
        public Builder addChurn(Churn v) { churn.add(v); return this; }
        public Builder links(NodeLinks v) { links = v; return this; }
        /** Every node gets this bandwidth both ways (one class, the current initial class's latency). */
        public Builder bandwidthMbps(double v) { links = NodeLinks.single(v, v, links.initial().latencyMs()); return this; }
        /** Every node gets this latency (one class, the current initial class's bandwidths). */
        public Builder latencyMs(double v) {
            links = NodeLinks.single(links.initial().uplinkMbps(), links.initial().downlinkMbps(), v);
            return this;
        }
        public Builder threads(int v) { threads = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder sharedRegeneration(boolean v) { sharedRegeneration = v; return this; }
        public Builder workCosts(VirtualClock.WorkCosts v) { workCosts = v; return this; }
        public Builder maxVirtualSeconds(double v) { maxVirtualSeconds = v; return this; }
        public Builder maxBytes(long v) { maxBytes = v; return this; }
        public Builder joinShards(JoinShards v) { joinShards = v; return this; }

        public SpsaRunSettings build() {
            return new SpsaRunSettings(runId, runSeed, nodes, rounds, samplesPerNode, eps, lr, lrDecay, codec, distribution, chunkSize,
                    batchSize, evalEvery, roundDeadline, workload, engine, joinSync, churn, links, threads,
                    weightDecay, sharedRegeneration, workCosts, maxVirtualSeconds, maxBytes, joinShards);
        }
    }
}
