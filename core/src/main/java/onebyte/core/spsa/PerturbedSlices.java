package onebyte.core.spsa;

import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two perturbed points θ + εz and θ − εz (z = Z(seed) of a {@link PerturbationStream}) delivered
 * slice by slice, front to back, without writing θ and without a copy of it: a model that consumes
 * its parameters in flat order (a dense layer's weight rows, then its bias, ...) can evaluate both
 * points while only one or two slices of each exist at a time.
 *
 * <p><b>Values.</b> Element i of a slice is {@code theta[i] + eps * z[i]} (plus) and
 * {@code theta[i] - eps * z[i]} (minus), plain float32 Java arithmetic: bit for bit what
 * {@link SpsaEstimator#perturb} writes into a full scratch vector. z is produced chunk by chunk with
 * {@link PerturbationStream#fillChunk}; because slices come in flat order, <b>every chunk of z is
 * generated exactly once per pass</b> whatever the slice lengths (a chunk that straddles two slices
 * is kept in a chunk buffer until both are built).
 *
 * <p><b>Threads.</b> With {@code threads >= 2} one pooled helper thread builds the next slice while
 * the caller works on the current one (two buffer slots, used alternately); its CPU time is charged
 * to the caller ({@link HelperCpuTime}). The slices hold the same values for any thread count.
 *
 * <p><b>Memory</b> ({@link #bufferBytes()}): per slot two off-heap float arrays of
 * {@code maxSliceLength} elements (one slot, or two with a helper thread), plus one heap chunk
 * buffer of {@code chunkSize} floats: {@code 8·maxSliceLength·slots + 4·chunkSize} bytes, allocated
 * once and reused by every pass.
 *
 * <p>One pass at a time; an instance is used by one calling thread at a time.
 */
public final class PerturbedSlices {
    private final PerturbationStream stream;
    private final int maxSliceLength;
    private final Slot[] slots;
    private final float[] chunk;
    private Pass openPass;

    /**
     * @param maxSliceLength the longest slice a pass may ask for
     * @param threads 1: slices are built on the calling thread when asked for; 2 or more: one helper
     *     thread builds one slice ahead
     */
    public PerturbedSlices(PerturbationStream stream, int maxSliceLength, int threads) {
        if (stream == null) {
            throw new IllegalArgumentException("stream must not be null");
        }
        if (maxSliceLength < 1) {
            throw new IllegalArgumentException("maxSliceLength must be >= 1, got " + maxSliceLength);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.stream = stream;
        this.maxSliceLength = maxSliceLength;
        this.slots = new Slot[threads >= 2 ? 2 : 1];
        for (int s = 0; s < slots.length; s++) {
            slots[s] = new Slot(new ParameterVector(maxSliceLength), new ParameterVector(maxSliceLength));
        }
        this.chunk = new float[stream.chunkSize()];
    }

    public PerturbationStream stream() {
        return stream;
    }

    public int maxSliceLength() {
        return maxSliceLength;
    }

    /** True when a helper thread builds slices ahead of the caller. */
    public boolean prefetches() {
        return slots.length > 1;
    }

    /** Bytes of the buffers this instance holds: off-heap slots plus the heap chunk buffer. */
    public long bufferBytes() {
        return 8L * maxSliceLength * slots.length + 4L * chunk.length;
    }

    /**
     * Starts a pass over θ: slice k covers elements [sum of the earlier lengths, + sliceLengths[k])
     * and the slices must cover θ exactly. Close the pass (try-with-resources) before starting the
     * next; θ must not change while the pass is open.
     */
    public Pass start(ParameterVector theta, long seed, float eps, int[] sliceLengths) {
        if (openPass != null) {
            throw new IllegalStateException("the previous pass is still open");
        }
        long total = 0;
        for (int len : sliceLengths) {
            if (len < 1 || len > maxSliceLength) {
                throw new IllegalArgumentException("slice length " + len + " outside [1, " + maxSliceLength + "]");
            }
            total += len;
        }
        if (total != theta.length()) {
            throw new IllegalArgumentException("slices cover " + total + " elements, theta has " + theta.length());
        }
        if (!Float.isFinite(eps)) {
            throw new IllegalArgumentException("eps must be finite, got " + eps);
        }
        openPass = new Pass(theta, seed, eps, sliceLengths.clone());
        return openPass;
    }

    /**
     * One slice of both points: elements [offset, offset + length) of θ + εz and of θ − εz are the
     * first {@code length} elements of {@code plus} and {@code minus}, contiguous 1-D float32 arrays
     * of {@link #maxSliceLength()} elements (the buffers of one slot, offset 0; the rest of them is
     * stale). Valid until the pass's next {@link Pass#next()} or {@link Pass#close()}.
     */
    public record Slice(int offset, int length, INDArray plus, INDArray minus) {}

    /** An open pass: {@link #next()} once per slice, in order, then {@link #close()}. */
    public final class Pass implements AutoCloseable {
        private final ParameterVector theta;
        private final long seed;
        private final float eps;
        private final int[] lengths;
        private final int[] offsets;
        private int handedOut;
        private int generatedChunk = -1;
        private boolean closed;
        // helper-thread state (prefetching only)
        private final Semaphore freeSlots;
        private final Semaphore builtSlices;
        private volatile boolean cancelled;
        private volatile Throwable helperFailure;
        private final Future<?> helper;

        private Pass(ParameterVector theta, long seed, float eps, int[] lengths) {
            this.theta = theta;
            this.seed = seed;
            this.eps = eps;
            this.lengths = lengths;
            this.offsets = new int[lengths.length];
            for (int k = 1; k < lengths.length; k++) {
                offsets[k] = offsets[k - 1] + lengths[k - 1];
            }
            if (prefetches()) {
                freeSlots = new Semaphore(slots.length);
                builtSlices = new Semaphore(0);
                helper = Parallel.submit(this::buildAll);
            } else {
                freeSlots = null;
                builtSlices = null;
                helper = null;
            }
        }

        /** The next slice. */
        public Slice next() {
            if (closed) {
                throw new IllegalStateException("pass is closed");
            }
            if (handedOut == lengths.length) {
                throw new NoSuchElementException("all " + lengths.length + " slices were handed out");
            }
            int k = handedOut++;
            Slot slot = slots[k % slots.length];
            if (helper == null) {
                build(slot, k);
            } else {
                if (k > 0) {
                    freeSlots.release(); // the caller is done with slice k − 1
                }
                builtSlices.acquireUninterruptibly();
                Throwable failure = helperFailure;
                if (failure != null) {
                    throw rethrow(failure);
                }
            }
            return slot.slice(offsets[k], lengths[k]);
        }

        /** Ends the pass; stops and waits for the helper thread if slices were left unused. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            openPass = null;
            if (helper == null) {
                return;
            }
            cancelled = true;
            freeSlots.release(slots.length);
            boolean interrupted = false;
            while (true) {
                try {
                    helper.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: the helper is still writing into the slots
                } catch (ExecutionException e) {
                    break; // reported through helperFailure
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private void buildAll() {
            try {
                for (int k = 0; k < lengths.length; k++) {
                    freeSlots.acquireUninterruptibly();
                    if (cancelled) {
                        return;
                    }
                    build(slots[k % slots.length], k);
                    builtSlices.release();
                }
            } catch (Throwable t) {
                helperFailure = t;
                builtSlices.release(lengths.length);
            }
        }

        /** Writes slice k of θ ± εz into the slot, generating each chunk of z once per pass. */
        private void build(Slot slot, int k) {
            int d = theta.length();
            int cs = stream.chunkSize();
            int offset = offsets[k];
            int length = lengths[k];
            ParameterVector plus = slot.plus;
            ParameterVector minus = slot.minus;
            float e = eps;
            float[] z = chunk;
            int done = 0;
            while (done < length) {
                int pos = offset + done;
                int c = pos / cs;
                int chunkLength = stream.chunkLength(d, c);
                if (c != generatedChunk) {
                    stream.fillChunk(seed, c, z, 0, chunkLength);
                    generatedChunk = c;
                }
                int from = pos - c * cs;
                int n = Math.min(length - done, chunkLength - from);
                for (int i = 0; i < n; i++) {
                    float t = theta.get(pos + i);
                    float zi = z[from + i];
                    plus.set(done + i, t + e * zi);
                    minus.set(done + i, t - e * zi);
                }
                done += n;
            }
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException("building a perturbed slice failed", t);
    }

    private record Slot(ParameterVector plus, ParameterVector minus) {
        Slice slice(int offset, int length) {
            return new Slice(offset, length, plus.array(), minus.array());
        }
    }
}
