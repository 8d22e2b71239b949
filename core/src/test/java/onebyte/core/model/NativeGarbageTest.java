package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NativeGarbageTest {
    private static final long MB = 1 << 20;

    /**
     * glibc keeps the memory of freed ND4J arrays in its arena while a live block sits above it,
     * so the resident set does not fall when they are closed; the trim gives it back. This is the
     * reason {@link NativeGarbage}'s cleanups end in a trim: without it, its resident-set trigger
     * ratchets up by a whole growth step every cycle.
     */
    @Test
    void trimGivesFreedArenaMemoryBackToTheSystem() {
        assertTrue(NativeGarbage.canTrim(), "glibc's malloc_trim must be found on Linux");
        List<INDArray> arrays = new ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            arrays.add(Nd4j.create(DataType.FLOAT, 16 * 1024).assign(i)); // 64 KB each, below glibc's mmap threshold
        }
        INDArray pin = Nd4j.create(DataType.FLOAT, 16).assign(1); // above them: the arena's top cannot shrink past it
        arrays.forEach(INDArray::close);
        long freed = Pointer.physicalBytes();
        NativeGarbage.trim();
        long trimmed = Pointer.physicalBytes();
        assertTrue(freed - trimmed > 128 * MB,
                "256 MB of closed arrays: resident " + freed / MB + " MB before the trim, " + trimmed / MB + " MB after");
        assertEquals(1f, pin.getFloat(0));
    }

    /**
     * Growth by the trigger's step starts a cleanup; the cleanup's baseline is the resident set it
     * leaves, live arrays included, so the same live memory does not start cleanup after cleanup.
     */
    @Test
    void growthStartsACleanupWhoseBaselineIncludesWhatStaysLive() throws Exception {
        long before = NativeGarbage.cleanups();
        NativeGarbage.cleanup();
        assertEquals(before + 1, NativeGarbage.cleanups());

        List<INDArray> live = new ArrayList<>();
        long bytes = 0;
        while (bytes < NativeGarbage.GROWTH_BYTES + 256 * MB) {
            live.add(Nd4j.create(DataType.FLOAT, 16 * MB).assign(1)); // 64 MB each, touched
            bytes += 64 * MB;
        }
        NativeGarbage.collectIfGrown();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (NativeGarbage.cleanups() == before + 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before + 2, NativeGarbage.cleanups(), "growing by " + bytes / MB + " MB starts a cleanup");

        NativeGarbage.collectIfGrown();
        Thread.sleep(500);
        assertEquals(before + 2, NativeGarbage.cleanups(), "the live arrays are in the new baseline: no further cleanup");
        live.forEach(INDArray::close);
    }
}
