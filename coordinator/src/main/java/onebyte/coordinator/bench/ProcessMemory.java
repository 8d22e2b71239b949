package onebyte.coordinator.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * This process's memory as the footprint children read it: Java heap in use, /proc/self/status
 * lines, and {@link #growthOf}, the memory a piece of work adds once the process is quiet.
 */
public final class ProcessMemory {
    /**
     * How long the resident set must stay within {@link #QUIET_BYTES} before a baseline is taken:
     * longer than HotSpot's arena chunk pool cleaner period (5 s), which frees the JIT compiler's
     * pooled chunks some time after its last compilation. System property
     * {@value #QUIET_PROPERTY} shortens it for smoke tests whose memory figures are not read
     * (BenchCommandTest); {@link Footprint} passes it on to its child JVMs.
     */
    static final long QUIET_MILLIS = Long.getLong(ProcessMemory.QUIET_PROPERTY, 5_500);
    /** The system property that overrides {@link #QUIET_MILLIS}. */
    static final String QUIET_PROPERTY = "onebyte.memory.quiet-ms";
    /** Resident-set movement still counted as quiet. */
    static final long QUIET_BYTES = 64 << 10;
    /** Give up waiting for quiet after this long (the baseline is then taken anyway). */
    static final long MAX_WAIT_MILLIS = 30_000;
    private static final long POLL_MILLIS = 100;

    private ProcessMemory() {}

    public static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** A "kB" line of /proc/self/status ("VmRSS:", "VmHWM:"), in bytes. */
    public static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }

    /**
     * What {@link #growthOf} measured: peak resident set above the baseline (with the heap
     * pre-touched, native memory), heap in use after a GC above the baseline with the work's
     * result alive, and how long the process took to become quiet before the baseline.
     */
    public record Growth(long offHeapPeak, long heapRetained, long quietAfterMillis) {
        /** The line a footprint child prints: {@code FOOTPRINT <off-heap peak> <heap retained>}. */
        public String line() {
            return "FOOTPRINT " + offHeapPeak + " " + heapRetained;
        }
    }

    /**
     * Runs {@code work} and returns the memory it adds, measured from a baseline taken once the
     * process is quiet. A GC alone is not enough: ND4J's deallocator frees the native arrays of
     * the garbage it finds on its own thread after the GC (seen: 30 MB of a 1M-parameter
     * workload's set-up freed 20–40 ms after {@code System.gc()} returned), and JIT compilations
     * of earlier work hold arena memory that the compiler frees when they end and the chunk pool
     * cleaner returns seconds later; either landing after the baseline moved a 5.4 MB footprint
     * to anywhere between 0 and 17 MB. So: three GCs, then wait until the resident set has not
     * moved by more than {@value #QUIET_BYTES} bytes for {@value #QUIET_MILLIS} ms (at most
     * {@value #MAX_WAIT_MILLIS} ms), GC the polling's garbage, then reset the kernel's peak-RSS
     * counter ({@code /proc/self/clear_refs}) and read the baseline.
     */
    public static Growth growthOf(Supplier<Object> work) throws IOException, InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long waited = awaitQuiet();
        System.gc(); // the polling's own garbage: not part of the heap baseline
        long heapBase = heapUsed();
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        long rssBase = status("VmRSS:");
        Object alive = work.get();
        long hwm = status("VmHWM:");
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = heapUsed() - heapBase;
        Reference.reachabilityFence(alive);
        return new Growth(hwm - rssBase, heap, waited);
    }

    /** Waits until the resident set is quiet (see {@link #growthOf}); returns the milliseconds waited. */
    private static long awaitQuiet() throws IOException, InterruptedException {
        long start = System.nanoTime();
        long quietSince = start;
        long rss = status("VmRSS:");
        while (millisSince(quietSince) < QUIET_MILLIS && millisSince(start) < MAX_WAIT_MILLIS) {
            Thread.sleep(POLL_MILLIS);
            long r = status("VmRSS:");
            if (Math.abs(r - rss) > QUIET_BYTES) {
                quietSince = System.nanoTime();
                rss = r;
            }
        }
        return millisSince(start);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
