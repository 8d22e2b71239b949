package onebyte.core.model;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the native memory of discarded ND4J arrays from piling up. SameDiff allocates its
 * intermediate arrays off the Java heap and some of them are only freed when their tiny Java
 * objects are garbage-collected; with a large, quiet heap that can take long enough for the
 * process to grow without bound (measured: one 0.4M-parameter transformer at ~3 GB resident
 * under -Xmx2g; an lm-finetune run with four FedSpeed nodes and the coordinator's replica in one
 * JVM was killed by the kernel at 23 GB).
 *
 * <p>After native work, {@link #collectIfGrown} starts a cleanup whenever the resident set has
 * grown by {@link #GROWTH_BYTES} since the last one ended: a collection, a pause for ND4J's
 * deallocator threads to free what it found, then glibc's {@code malloc_trim(0)}. The trim is
 * what makes the trigger sound: glibc keeps freed blocks in its per-thread arenas, so without it
 * the resident set never falls after a collection, every cleanup's baseline sits on top of the
 * garbage it just freed, and each cycle adds another {@link #GROWTH_BYTES} (measured: lm-finetune's
 * FedSpeed part grew ~300–500 MB per round to 19 GB; one {@code malloc_trim} in that process
 * gave back 7.8 GB). The cleanup runs on its own daemon thread so the compute thread that noticed
 * the growth goes on.
 */
final class NativeGarbage {
    /** Growth of the resident set, since the last cleanup ended, that triggers the next. */
    static final long GROWTH_BYTES = 768L << 20;
    /** Time given to ND4J's deallocator threads between the collection and the trim. */
    private static final long DEALLOCATION_PAUSE_MS = 200;

    private static final Logger log = LoggerFactory.getLogger(NativeGarbage.class);
    private static final AtomicLong residentAfterLastCleanup = new AtomicLong(-1);
    private static final AtomicBoolean running = new AtomicBoolean();
    private static final AtomicLong cleanups = new AtomicLong();
    private static final Function MALLOC_TRIM = mallocTrim();

    private NativeGarbage() {}

    static void collectIfGrown() {
        long resident = Pointer.physicalBytes();
        long base = residentAfterLastCleanup.get();
        if (base < 0) {
            residentAfterLastCleanup.compareAndSet(-1, resident);
            return;
        }
        if (resident - base >= GROWTH_BYTES && running.compareAndSet(false, true)) {
            Thread t = new Thread(NativeGarbage::cleanup, "onebyte-native-garbage");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Cleanups finished so far in this JVM (for tests). */
    static long cleanups() {
        return cleanups.get();
    }

    /** Whether glibc's malloc_trim was found (false on other C libraries: then only collections run). */
    static boolean canTrim() {
        return MALLOC_TRIM != null;
    }

    /** A collection, a pause for the deallocator threads, a trim; then the new baseline. */
    static void cleanup() {
        try {
            System.gc();
            Thread.sleep(DEALLOCATION_PAUSE_MS);
            trim();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            residentAfterLastCleanup.set(Pointer.physicalBytes());
            cleanups.incrementAndGet();
            running.set(false);
        }
    }

    /** Returns the free memory of glibc's arenas to the operating system (no-op when unavailable). */
    static void trim() {
        if (MALLOC_TRIM != null) {
            MALLOC_TRIM.invokeInt(new Object[] {0L});
        }
    }

    private static Function mallocTrim() {
        try {
            return NativeLibrary.getInstance("c").getFunction("malloc_trim");
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            log.debug("malloc_trim not available ({}); native cleanups only collect", e.toString());
            return null;
        }
    }
}
