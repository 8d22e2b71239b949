package onebyte.core.tensor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The SHA-256 of θ once per JVM and round instead of once per replica. In an embedded run the
 * N nodes and the coordinator hash their own θ every round ({@link ParameterVector#hash}), and
 * with shared regeneration those N + 1 vectors hold the same bits: N + 1 hashes of 4d bytes for
 * one value. While two or more replicas are registered ({@link #register}: the shared replica
 * updates of {@code onebyte.core.spsa.SharedReplicaUpdate} do it), this keeps the raw bits of the
 * last vector hashed and its hash; a vector whose raw bits are exactly those (compared int by
 * int: signed zeros and NaN payloads count) gets that hash, any other is hashed and becomes the
 * last one. So every replica's hash is still the hash of its own bits, and a replica that differs
 * in one bit still shows it. A replica alone in its JVM (a node process) hashes as before and
 * keeps nothing.
 *
 * <p>Cost: a comparison of d ints instead of SHA-256 over 4d bytes for a replica that agrees; a
 * copy of d ints, and d ints held until the next value replaces them, for the one that hashes.
 * A vector that matches a value still being hashed waits for that hash (one SHA-256 at most; the
 * thread that computes it holds no lock and waits for nothing).
 */
public final class SharedHashes {
    private static final AtomicInteger SHARERS = new AtomicInteger();
    private static final AtomicReference<Entry> LAST = new AtomicReference<>();

    private record Entry(int[] bits, CompletableFuture<byte[]> hash) {}

    private SharedHashes() {}

    /** One more replica shares this JVM. */
    public static void register() {
        SHARERS.incrementAndGet();
    }

    /** One replica fewer; below two, the last value is dropped. */
    public static void unregister() {
        if (SHARERS.decrementAndGet() < 2) {
            LAST.set(null);
        }
    }

    static boolean active() {
        return SHARERS.get() >= 2;
    }

    static byte[] hash(ParameterVector v) {
        Entry last = LAST.get();
        if (last != null && v.hasRawBits(last.bits())) {
            return last.hash().join().clone();
        }
        Entry mine = new Entry(v.rawBits(), new CompletableFuture<>());
        LAST.set(mine);
        try {
            byte[] h = v.sha256();
            mine.hash().complete(h);
            return h.clone();
        } catch (RuntimeException | Error e) {
            mine.hash().completeExceptionally(e);
            LAST.compareAndSet(mine, null);
            throw e;
        }
    }
}
