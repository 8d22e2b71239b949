package onebyte.coordinator.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of this JVM while a cluster point runs: a daemon thread samples every 2 ms the heap
 * in use ({@link MemoryMXBean}) and the process's resident set ({@link Pointer#physicalBytes()},
 * which is where ND4J's off-heap arrays show up). Peaks are reported above a baseline read right
 * after a full GC at {@link #start}. In a long-lived process this undercounts (freed native memory
 * and already-touched heap pages are reused), so replica footprints come from fresh JVMs
 * ({@link Footprint}); this is the whole embedded cluster's growth.
 */
final class MemoryProbe implements AutoCloseable {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private final long baseHeap;
    private final long baseRss;
    private volatile long peakHeap;
    private volatile long peakRss;
    private volatile boolean running = true;
    private final Thread sampler;

    private MemoryProbe() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        baseHeap = MEMORY.getHeapMemoryUsage().getUsed();
        baseRss = Pointer.physicalBytes();
        peakHeap = baseHeap;
        peakRss = baseRss;
        sampler = new Thread(this::loop, "bench-memory-probe");
        sampler.setDaemon(true);
        sampler.start();
    }

    static MemoryProbe start() {
        return new MemoryProbe();
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        peakHeap = Math.max(peakHeap, MEMORY.getHeapMemoryUsage().getUsed());
        peakRss = Math.max(peakRss, Pointer.physicalBytes());
    }

    long peakHeapAboveBase() {
        return peakHeap - baseHeap;
    }

    long peakRssAboveBase() {
        return peakRss - baseRss;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }
}
