package onebyte.coordinator.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.LongAdder;
import onebyte.core.perturbation.HelperCpuTime;

/**
 * JVM-wide counters the bench's timed wrappers ({@link TimedWorkloadFactory}, {@link TimedEngineFactory})
 * add to: per kind of work, the number of calls, their CPU time (the calling thread's, plus what
 * onebyte.core's helper threads spent on the call's behalf, {@link HelperCpuTime}: nonzero when the
 * run's {@code threads} setting is 2 or more) and their wall time. Every node of an embedded cluster is in this JVM, so one counter set sees them all; the bench
 * takes {@link #snapshot() snapshots} at round boundaries and uses differences. CPU time (not wall
 * time) is what counts on a 2-core machine running 33 ActorSystems: a thread that waits for a core
 * is not charged. ND4J must run on the calling thread for that ({@code Models.limitNativeThreads(1)}).
 */
public final class BenchProbe {
    /**
     * Kinds of work. SAMPLE is one whole SPSA sample; for a model without the fused θ±εz evaluation
     * it includes the two FORWARD passes it makes (a fused model makes none).
     */
    public enum Work { FORWARD, GRADIENT, SAMPLE, APPLY }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int K = Work.values().length;
    private static final LongAdder[] CALLS = adders();
    private static final LongAdder[] CPU_NS = adders();
    private static final LongAdder[] WALL_NS = adders();

    private BenchProbe() {}

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[Work.values().length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /**
     * CPU nanoseconds of the calling thread so far, plus those onebyte.core's helper threads spent on
     * work the calling thread submitted ({@link HelperCpuTime}).
     */
    static long threadCpuNanos() {
        return THREADS.getCurrentThreadCpuTime() + HelperCpuTime.chargedToCurrentThreadNanos();
    }

    /** A started measurement; {@link #stop} adds it to the counters. */
    static long[] start() {
        return new long[] {threadCpuNanos(), System.nanoTime()};
    }

    static void stop(Work w, long[] started) {
        long cpu = threadCpuNanos() - started[0];
        long wall = System.nanoTime() - started[1];
        CALLS[w.ordinal()].increment();
        CPU_NS[w.ordinal()].add(cpu);
        WALL_NS[w.ordinal()].add(wall);
    }

    /** CPU nanoseconds of the whole process (every thread, JIT and GC included). */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        throw new IllegalStateException("process CPU time is not available on this JVM");
    }

    public static Snapshot snapshot() {
        long[] calls = new long[K];
        long[] cpu = new long[K];
        long[] wall = new long[K];
        for (int i = 0; i < K; i++) {
            calls[i] = CALLS[i].sum();
            cpu[i] = CPU_NS[i].sum();
            wall[i] = WALL_NS[i].sum();
        }
        return new Snapshot(calls, cpu, wall, processCpuNanos(), System.nanoTime());
    }

    /** Counter values at one moment, plus the process CPU time and the wall clock. */
    public record Snapshot(long[] calls, long[] cpuNs, long[] wallNs, long processCpuNs, long nanoTime) {
        /** this − earlier, counter by counter. */
        public Snapshot minus(Snapshot earlier) {
            long[] c = new long[K];
            long[] u = new long[K];
            long[] w = new long[K];
            for (int i = 0; i < K; i++) {
                c[i] = calls[i] - earlier.calls[i];
                u[i] = cpuNs[i] - earlier.cpuNs[i];
                w[i] = wallNs[i] - earlier.wallNs[i];
            }
            return new Snapshot(c, u, w, processCpuNs - earlier.processCpuNs, nanoTime - earlier.nanoTime);
        }

        public long calls(Work w) {
            return calls[w.ordinal()];
        }

        public double cpuSeconds(Work w) {
            return cpuNs[w.ordinal()] / 1e9;
        }

        public double wallSeconds(Work w) {
            return wallNs[w.ordinal()] / 1e9;
        }

        /** Mean CPU seconds per call, NaN without calls. */
        public double cpuPerCall(Work w) {
            long n = calls(w);
            return n == 0 ? Double.NaN : cpuSeconds(w) / n;
        }

        public double processCpuSeconds() {
            return processCpuNs / 1e9;
        }

        public double elapsedSeconds() {
            return nanoTime / 1e9;
        }
    }
}
