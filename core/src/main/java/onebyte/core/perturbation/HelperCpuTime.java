package onebyte.core.perturbation;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU time that helper threads spent on work submitted by a calling thread. {@link Parallel} and
 * {@link PerturbedSlices} run part of a caller's work on pooled helper threads; each helper task
 * measures its own thread CPU time and adds it to the account of the thread that submitted it
 * before the caller can observe the work as done. So the full CPU cost of a call made on thread T
 * is T's own CPU time difference plus the difference of {@link #chargedToCurrentThreadNanos()}
 * taken on T around the call (what a benchmark that measures "CPU time of the calling thread" must
 * add to stay honest when work uses more than one thread).
 *
 * <p>Without JVM support for thread CPU time every charge is 0.
 */
public final class HelperCpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean SUPPORTED = THREADS.isCurrentThreadCpuTimeSupported();
    private static final ThreadLocal<AtomicLong> ACCOUNTS = ThreadLocal.withInitial(AtomicLong::new);

    private HelperCpuTime() {}

    /** CPU nanoseconds helper threads have spent so far on work submitted by the calling thread. */
    public static long chargedToCurrentThreadNanos() {
        return ACCOUNTS.get().get();
    }

    /** The account of the calling thread, to be handed to the helper tasks it submits. */
    static AtomicLong accountOfCurrentThread() {
        return ACCOUNTS.get();
    }

    /** {@code task} wrapped so that the thread running it adds the CPU time it spends to {@code account}. */
    static Runnable charging(AtomicLong account, Runnable task) {
        return () -> {
            long started = currentThreadCpuNanos();
            try {
                task.run();
            } finally {
                account.addAndGet(currentThreadCpuNanos() - started);
            }
        };
    }

    private static long currentThreadCpuNanos() {
        return SUPPORTED ? Math.max(0, THREADS.getCurrentThreadCpuTime()) : 0;
    }
}
