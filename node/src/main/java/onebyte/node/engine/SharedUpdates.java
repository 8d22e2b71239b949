package onebyte.node.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import onebyte.core.spsa.ReplicaUpdate;
import onebyte.core.spsa.SharedReplicaUpdate;
import onebyte.proto.RunConfig;

/**
 * This JVM's {@link SharedReplicaUpdate}s, one per replica-update configuration (run seed, codec,
 * distribution, chunk size, weight decay, threads): the embedded nodes of a run and the
 * coordinator's replica register with the same one. Its cache holds at most
 * {@link #CACHE_BYTES} of chunks; it is dropped when its last replica unregisters. A node
 * process of a multi-process run has one replica, which bypasses the cache.
 */
public final class SharedUpdates {
    /** Memory budget of one configuration's chunk cache (each entry: a chunk before and after). */
    public static final long CACHE_BYTES = 64L << 20;

    record Key(long runSeed, String codec, String distribution, int chunkSize, double weightDecay, int threads) {}

    /** The key of the replicas a run's config builds. */
    static Key key(RunConfig c) {
        return new Key(c.getRunSeed(), c.getCodec(), c.getDistribution(), c.getChunkSize(), c.getWeightDecay(),
                Math.max(1, c.getThreads()));
    }

    private static final Map<Key, Boolean> ENABLED = new ConcurrentHashMap<>();

    /** Sharing for the replicas of {@code key} built from now on (the last call wins). */
    static void enable(Key key, boolean on) {
        ENABLED.put(key, on);
    }

    static boolean enabled(Key key) {
        return ENABLED.getOrDefault(key, true);
    }

    private static final Map<Key, SharedReplicaUpdate> BY_KEY = new ConcurrentHashMap<>();
    private static final AtomicLongArray RETIRED = new AtomicLongArray(3); // stats of dropped shared updates

    /** Chunks computed, taken from another replica and computed alone (θ differed) by this JVM's shared updates so far. */
    public static SharedReplicaUpdate.Stats totals() {
        long[] t = {RETIRED.get(0), RETIRED.get(1), RETIRED.get(2)};
        for (SharedReplicaUpdate s : BY_KEY.values()) {
            SharedReplicaUpdate.Stats st = s.stats();
            t[0] += st.computed();
            t[1] += st.reused();
            t[2] += st.diverged();
        }
        return new SharedReplicaUpdate.Stats(t[0], t[1], t[2]);
    }

    private SharedUpdates() {}

    /** Registers a replica with the shared update of {@code key}, made from {@code update} if there is none. */
    static Handle join(Key key, ReplicaUpdate update) {
        SharedReplicaUpdate.Replica[] joined = new SharedReplicaUpdate.Replica[1];
        SharedReplicaUpdate shared = BY_KEY.compute(key, (k, s) -> {
            SharedReplicaUpdate u = s != null ? s
                    : new SharedReplicaUpdate(update, SharedReplicaUpdate.chunksFor(update.stream(), CACHE_BYTES));
            joined[0] = u.join();
            return u;
        });
        return new Handle(key, shared, joined[0]);
    }

    /** A registered replica; {@link #close} unregisters it (and drops the shared update after the last one). */
    record Handle(Key key, SharedReplicaUpdate shared, SharedReplicaUpdate.Replica replica) implements Runnable {
        @Override
        public void run() {
            BY_KEY.computeIfPresent(key, (k, s) -> {
                if (s == shared) {
                    replica.close();
                    if (s.replicas() > 0) {
                        return s;
                    }
                    SharedReplicaUpdate.Stats st = s.stats();
                    RETIRED.addAndGet(0, st.computed());
                    RETIRED.addAndGet(1, st.reused());
                    RETIRED.addAndGet(2, st.diverged());
                    return null;
                }
                return s;
            });
            replica.close(); // idempotent: when the map no longer holds this shared update
        }
    }
}
