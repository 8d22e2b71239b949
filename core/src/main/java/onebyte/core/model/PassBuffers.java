package onebyte.core.model;

import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.perturbation.PerturbedSlices;

/**
 * The {@link PerturbedSlices} buffers one model instance's perturbed passes reuse: kept between
 * calls, rebuilt when the stream or the thread mode (helper thread or not) changes.
 */
final class PassBuffers {
    private final int maxSliceLength;
    private PerturbedSlices slices;

    PassBuffers(int maxSliceLength) {
        this.maxSliceLength = maxSliceLength;
    }

    /** The buffers for this stream and thread count. */
    PerturbedSlices forStream(PerturbationStream stream, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        PerturbedSlices s = slices;
        if (s == null || s.stream() != stream || s.prefetches() != (threads >= 2)) {
            slices = null; // let the old buffers go before allocating new ones
            s = new PerturbedSlices(stream, maxSliceLength, threads);
            slices = s;
        }
        return s;
    }

    /** Bytes of the buffers held now ({@link PerturbedSlices#bufferBytes()}; 0 before the first pass). */
    long bytes() {
        PerturbedSlices s = slices;
        return s == null ? 0 : s.bufferBytes();
    }
}
