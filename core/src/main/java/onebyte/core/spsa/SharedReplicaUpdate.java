package onebyte.core.spsa;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import onebyte.core.perturbation.Parallel;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.tensor.SharedHashes;

/**
 * {@link ReplicaUpdate} for several replicas of one process that apply the same commits: each
 * chunk of a round's update is computed once and the other replicas take its result, so N
 * replicas pay about one replica's regeneration per round instead of N.
 *
 * <p><b>Why the bits cannot change.</b> A replica's round update of chunk c is a fixed function of
 * the chunk's current bits: its plan (the seeds, the float coefficients and the decay, see
 * {@link ReplicaUpdate}) fixes every float operation. The first replica to reach (plan, chunk)
 * computes it on its own θ exactly as {@link ReplicaUpdate#apply} would and leaves a copy of the
 * chunk's bits before and after; a replica that reaches the same (plan, chunk) later compares its
 * own chunk with the "before" bits (raw bits, NaN payloads and signed zeros included) and, when
 * they are equal, writes the "after" bits: the very result its own float operations would give.
 * A replica whose chunk differs (a diverged or stale replica) computes the chunk itself, so it
 * keeps its own, different result and its hash still shows it. Hence every θ bit is what a lone
 * replica computes, whichever replica computed first, in any interleaving.
 *
 * <p><b>Bounded memory, no waiting on lagging replicas.</b> The cache holds chunks (two float
 * arrays of one chunk each), not d-vectors: an entry is dropped once every registered replica
 * has taken it, and the cache never holds more than {@code capacityChunks} finished entries
 * (the oldest go first; a replica that finds its entry gone computes the chunk itself). A
 * replica that reaches a chunk another replica is computing first works on its other chunks,
 * then waits for that one: the computing thread holds no lock and waits for nothing, so every
 * wait ends. A replica that is alone (one registered) bypasses the cache.
 *
 * <p>Replicas register with {@link #join()} and close their handle when they stop; a handle
 * that is never closed only keeps its entries until they are evicted.
 */
public final class SharedReplicaUpdate {
    private final ReplicaUpdate update;
    private final int capacityChunks;
    private final AtomicInteger replicas = new AtomicInteger();
    private final Map<Key, Entry> entries = new LinkedHashMap<>(); // guarded by itself; insertion order = age
    private final AtomicLong computed = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();
    private final AtomicLong diverged = new AtomicLong();

    /** @param capacityChunks finished chunks kept at most (each two chunks of floats) */
    public SharedReplicaUpdate(ReplicaUpdate update, int capacityChunks) {
        if (update == null) {
            throw new IllegalArgumentException("update must not be null");
        }
        if (capacityChunks < 1) {
            throw new IllegalArgumentException("capacity must be >= 1 chunk, got " + capacityChunks);
        }
        this.update = update;
        this.capacityChunks = capacityChunks;
    }

    /** Capacity for a memory budget: as many entries (2 · chunkSize floats each) as fit in {@code bytes}, at least 1. */
    public static int chunksFor(PerturbationStream stream, long bytes) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / (8L * stream.chunkSize())));
    }

    public ReplicaUpdate update() {
        return update;
    }

    /** Registers one replica; close the handle when the replica stops. */
    public Replica join() {
        replicas.incrementAndGet();
        SharedHashes.register();
        return new Replica();
    }

    /** Replicas registered now. */
    public int replicas() {
        return replicas.get();
    }

    /** What the cache did so far: chunks computed, taken from another replica, and computed alone because θ differed. */
    public record Stats(long computed, long reused, long diverged) {}

    public Stats stats() {
        return new Stats(computed.get(), reused.get(), diverged.get());
    }

    /** Finished entries held now (tests). */
    public int cachedChunks() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** One registered replica's view: {@link #apply} as {@link ReplicaUpdate#apply} would, sharing chunks. */
    public final class Replica implements AutoCloseable {
        private final AtomicInteger open = new AtomicInteger(1);

        private Replica() {}

        /** Bit-identical to {@code update().apply(theta, commit, lr)}. */
        public void apply(ParameterVector theta, RoundCommit commit, double lr) {
            if (open.get() == 0) {
                throw new IllegalStateException("this replica's handle is closed");
            }
            ReplicaUpdate.Plan plan = update.plan(commit, lr);
            if (plan.isEmpty()) {
                return;
            }
            if (replicas.get() <= 1) {
                update.apply(theta, commit, lr);
                return;
            }
            applyShared(theta, plan);
        }

        /** Unregisters (idempotent). */
        @Override
        public void close() {
            if (open.compareAndSet(1, 0)) {
                SharedHashes.unregister();
                if (replicas.decrementAndGet() == 0) {
                    synchronized (entries) {
                        entries.clear(); // nobody left to take them
                    }
                }
            }
        }
    }

    private void applyShared(ParameterVector theta, ReplicaUpdate.Plan plan) {
        PerturbationStream stream = update.stream();
        int d = theta.length();
        int chunks = stream.chunks(d);
        int workers = Parallel.workers(chunks, update.threads());
        float[][] buf = new float[workers][Math.min(stream.chunkSize(), d)];
        int planHash = plan.hashCode();
        List<Integer> later = new ArrayList<>();
        Parallel.run(chunks, workers, (w, c) -> {
            if (!chunk(theta, new Key(plan, planHash, c, stream.chunkLength(d, c)), buf[w], false)) {
                synchronized (later) {
                    later.add(c);
                }
            }
        });
        // chunks another replica was computing: wait for them (their computing threads wait for nothing)
        Parallel.run(later.size(), workers, (w, i) -> {
            int c = later.get(i);
            chunk(theta, new Key(plan, planHash, c, stream.chunkLength(d, c)), buf[w], true);
        });
    }

    /**
     * Applies the round to chunk {@code k.chunk} of θ: computes it (and publishes it), takes the
     * published result, or computes it alone when θ's chunk differs. Returns false, doing
     * nothing, when another replica is computing it and {@code wait} is false.
     */
    private boolean chunk(ParameterVector theta, Key k, float[] t, boolean wait) {
        Entry e;
        boolean mine = false;
        synchronized (entries) {
            e = entries.get(k);
            if (e == null) {
                e = new Entry(replicas.get() - 1);
                entries.put(k, e);
                mine = true;
            }
        }
        if (!mine && !wait && !e.result.isDone()) {
            return false;
        }
        int off = k.chunk * update.stream().chunkSize();
        int len = k.len;
        if (mine) {
            compute(theta, k, e, t, off);
            return true;
        }
        theta.get(off, t, 0, len);
        Result r = e.result.join();
        take(k, e);
        if (r != null && sameBits(t, r.before, len)) {
            theta.put(off, r.after, 0, len);
            reused.incrementAndGet();
        } else {
            update.applyChunk(k.plan, k.chunk, t, len);
            theta.put(off, t, 0, len);
            diverged.incrementAndGet();
        }
        return true;
    }

    private void compute(ParameterVector theta, Key k, Entry e, float[] t, int off) {
        int len = k.len;
        Result r = null;
        try {
            theta.get(off, t, 0, len);
            float[] before = java.util.Arrays.copyOf(t, len);
            update.applyChunk(k.plan, k.chunk, t, len);
            theta.put(off, t, 0, len);
            r = new Result(before, java.util.Arrays.copyOf(t, len));
            computed.incrementAndGet();
        } finally {
            // on failure the waiters get null and compute the chunk themselves
            e.result.complete(r);
            synchronized (entries) {
                if (r == null || e.remaining <= 0) {
                    entries.remove(k, e);
                }
                evict();
            }
        }
    }

    /** One replica took the entry: drop it when all have. */
    private void take(Key k, Entry e) {
        synchronized (entries) {
            if (--e.remaining <= 0) {
                entries.remove(k, e);
            }
        }
    }

    /** Drops the oldest finished entries beyond the capacity (entries being computed stay). Holds the lock. */
    private void evict() {
        int finished = 0;
        for (Entry e : entries.values()) {
            if (e.result.isDone()) {
                finished++;
            }
        }
        Iterator<Entry> it = entries.values().iterator();
        while (finished > capacityChunks && it.hasNext()) {
            if (it.next().result.isDone()) {
                it.remove();
                finished--;
            }
        }
    }

    private static boolean sameBits(float[] a, float[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** (plan, chunk, chunk length): fixes every float operation on the chunk. */
    private record Key(ReplicaUpdate.Plan plan, int planHash, int chunk, int len) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.planHash == planHash && k.chunk == chunk && k.len == len && k.plan.equals(plan);
        }

        @Override
        public int hashCode() {
            return (planHash * 31 + chunk) * 31 + len;
        }
    }

    /** A chunk's bits before and after the round. */
    private record Result(float[] before, float[] after) {}

    private static final class Entry {
        final CompletableFuture<Result> result = new CompletableFuture<>();
        int remaining; // replicas still to take it; guarded by entries

        Entry(int remaining) {
            this.remaining = remaining;
        }
    }
}
