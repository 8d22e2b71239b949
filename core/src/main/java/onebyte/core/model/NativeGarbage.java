package onebyte.core.model;

import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * Keeps the native memory of discarded ND4J arrays from piling up. SameDiff allocates its
 * intermediate arrays off the Java heap and some of them are only freed when their tiny Java
 * objects are garbage-collected; with a large, quiet heap that can take long enough for the
 * process to grow without bound (measured: one 0.4M-parameter transformer at ~3 GB resident
 * under -Xmx2g; an lm-finetune run with four FedSpeed nodes and the coordinator's replica in one
 * JVM was killed by the kernel at 23 GB). After native work, {@link #collectIfGrown} asks for a
 * collection whenever the resident set has grown by {@link #GROWTH_BYTES} since the last one.
 */
final class NativeGarbage {
    /** Growth of the resident set, since the last collection this class asked for, that triggers the next. */
    static final long GROWTH_BYTES = 768L << 20;

    private static final AtomicLong residentAfterLastCollection = new AtomicLong(-1);

    private NativeGarbage() {}

    static void collectIfGrown() {
        long resident = Pointer.physicalBytes();
        long base = residentAfterLastCollection.get();
        if (base < 0) {
            residentAfterLastCollection.compareAndSet(-1, resident);
            return;
        }
        if (resident - base >= GROWTH_BYTES && residentAfterLastCollection.compareAndSet(base, Long.MAX_VALUE)) {
            System.gc();
            residentAfterLastCollection.set(Pointer.physicalBytes());
        }
    }
}
