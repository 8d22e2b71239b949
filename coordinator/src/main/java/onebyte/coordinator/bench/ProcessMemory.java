package onebyte.coordinator.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's memory as the footprint children read it: Java heap in use, and /proc/self/status lines. */
public final class ProcessMemory {
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
}
