package onebyte.core.perturbation;


import onebyte.core.tensor.ParameterVector;

import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two perturbed points θ + εz and θ − εz (z = Z(seed) of a {@link PerturbationStream}) delivered
 * slice by slice, front to back, without writing θ and without a copy of it: a model that consumes
 * its parameters in flat order (a dense layer's weight rows, then its bias, ...) can evaluate both
 * points while only one or two slices of each exist at a time.
 *
 * <p><b>Values.</b> Element i of a slice is {@code theta[i] + eps * z[i]} (plus) and
 * {@code theta[i] - eps * z[i]} (minus), plain float32 Java arithmetic: bit for bit what
 * {@code SpsaEstimator.perturb} writes into a full scratch vector. z is produced chunk by chunk with
 * {@link PerturbationStream#fillChunk}; because slices come in flat order, <b>every chunk of z is
 * generated exactly once per pass</b> whatever the slice lengths (a chunk that straddles two slices
 * is kept in a chunk buffer until both have their part).
 *
 * <p><b>Threads.</b> With {@code threads = 1} a slice is built on the calling thread when asked for.
 * With {@code threads >= 2} one pooled helper thread works ahead in two buffer slots, used
 * alternately: it generates the next slice's z, and builds θ ± εz from it unless the caller is
 * already waiting for that slice, in which case the caller builds it (so when generating z is the
 * slower stage, e.g. Gaussian z next to a small batch's matrix products, the caller takes the
 * building off the helper; when the caller's own work is the slower stage, the helper does both).
 * Who builds a slice changes nothing in its values. The helper's CPU time is charged to the caller
 * ({@link HelperCpuTime}).
 *
 * <p><b>Memory</b> ({@link #bufferBytes()}): per slot two off-heap float arrays of
 * {@code maxSliceLength} elements, plus, with the helper, a heap array of z of the same length; one
 * slot, or two with the helper; plus one heap chunk buffer of {@code chunkSize} floats. That is
 * {@code 8·S + 4·chunkSize} bytes with one thread and {@code 2·12·S + 4·chunkSize} with the helper
 * (S = maxSliceLength), allocated once and reused by every pass.
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
     *     thread works ahead (see the class comment)
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
        boolean helper = threads >= 2;
        this.slots = new Slot[helper ? 2 : 1];
        for (int s = 0; s < slots.length; s++) {
            slots[s] = new Slot(new ParameterVector(maxSliceLength), new ParameterVector(maxSliceLength),
                    helper ? new float[maxSliceLength] : null);
        }
        this.chunk = new float[stream.chunkSize()];
    }

    public PerturbationStream stream() {
        return stream;
    }

    public int maxSliceLength() {
        return maxSliceLength;
    }

    /** True when a helper thread works ahead of the caller. */
    public boolean prefetches() {
        return slots.length > 1;
    }

    /** Bytes of the buffers this instance holds: the slots (off-heap θ ± εz, heap z) and the heap chunk buffer. */
    public long bufferBytes() {
        long perSlot = 8L * maxSliceLength + (prefetches() ? 4L * maxSliceLength : 0);
        return perSlot * slots.length + 4L * chunk.length;
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
        private static final int WAITING = 0;
        private static final int Z_READY = 1;
        private static final int BUILDING = 2;
        private static final int BUILT = 3;

        private final ParameterVector theta;
        private final long seed;
        private final float eps;
        private final int[] lengths;
        private final int[] offsets;
        private int handedOut;
        private int generatedChunk = -1;
        private boolean closed;
        // helper mode: guarded by `this`
        private final int[] state;
        private int released;
        private int callerWaitsFor = -1;
        private boolean cancelled;
        private Throwable helperFailure;
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
                state = new int[lengths.length];
                helper = Parallel.submit(this::workAhead);
            } else {
                state = null;
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
                generateAndBuild(slot, k);
            } else if (awaitSlice(k)) {
                build(slot, k);
            }
            return new Slice(offsets[k], lengths[k], slot.plus.array(), slot.minus.array());
        }

        /**
         * Releases slice k − 1 and waits until slice k is built or its z is ready; returns true when
         * the caller is to build it.
         */
        private synchronized boolean awaitSlice(int k) {
            released = k;
            callerWaitsFor = k;
            notifyAll();
            boolean interrupted = false;
            try {
                while (helperFailure == null && (state[k] == WAITING || state[k] == BUILDING)) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true; // the slice is still coming; keep the flag for the caller
                    }
                }
            } finally {
                callerWaitsFor = -1;
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            if (helperFailure != null) {
                throw rethrow(helperFailure);
            }
            if (state[k] == Z_READY) {
                state[k] = BUILDING;
                return true;
            }
            return false;
        }

        /** The helper: for every slice, once its slot is free, generate z; then build unless the caller waits for it. */
        private void workAhead() {
            try {
                for (int k = 0; k < lengths.length; k++) {
                    if (!awaitFreeSlot(k)) {
                        return;
                    }
                    Slot slot = slots[k % slots.length];
                    generate(k, slot.z);
                    boolean build;
                    synchronized (this) {
                        build = callerWaitsFor != k;
                        state[k] = build ? BUILDING : Z_READY;
                        notifyAll();
                    }
                    if (build) {
                        build(slot, k);
                        synchronized (this) {
                            state[k] = BUILT;
                            notifyAll();
                        }
                    }
                }
            } catch (Throwable t) {
                synchronized (this) {
                    helperFailure = t;
                    notifyAll();
                }
            }
        }

        /** Waits until slice k's slot is free (the caller has released slice k − slots); false when cancelled. */
        private synchronized boolean awaitFreeSlot(int k) throws InterruptedException {
            while (!cancelled && released < k - slots.length + 1) {
                wait();
            }
            return !cancelled;
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
            synchronized (this) {
                cancelled = true;
                notifyAll();
            }
            boolean interrupted = false;
            while (true) {
                try {
                    helper.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: the helper may still be writing into the slots
                } catch (ExecutionException e) {
                    break; // workAhead catches everything; nothing to report here
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** One thread: writes slice k of θ ± εz into the slot straight from the chunks of z. */
        private void generateAndBuild(Slot slot, int k) {
            ParameterVector plus = slot.plus;
            ParameterVector minus = slot.minus;
            float e = eps;
            int offset = offsets[k];
            forEachRun(k, (done, from, n) -> {
                for (int i = 0; i < n; i++) {
                    float t = theta.get(offset + done + i);
                    float zi = chunk[from + i];
                    plus.set(done + i, t + e * zi);
                    minus.set(done + i, t - e * zi);
                }
            });
        }

        /** Helper: writes z of slice k into {@code z[0, length)}. */
        private void generate(int k, float[] z) {
            forEachRun(k, (done, from, n) -> System.arraycopy(chunk, from, z, done, n));
        }

        /** A run of slice k that lies in one chunk of z: slice elements [done, done + n) are chunk[from, from + n). */
        private interface ChunkRun {
            void accept(int done, int from, int n);
        }

        /** Walks slice k chunk by chunk, generating each chunk of z once ({@link #chunkContaining}). */
        private void forEachRun(int k, ChunkRun run) {
            int offset = offsets[k];
            int done = 0;
            while (done < lengths[k]) {
                int from = chunkContaining(offset + done);
                int n = Math.min(lengths[k] - done, stream.chunkLength(theta.length(), generatedChunk) - from);
                run.accept(done, from, n);
                done += n;
            }
        }

        /** Builds slice k of θ ± εz in the slot from the slot's z (helper mode). */
        private void build(Slot slot, int k) {
            ParameterVector plus = slot.plus;
            ParameterVector minus = slot.minus;
            float[] z = slot.z;
            float e = eps;
            int offset = offsets[k];
            for (int i = 0, n = lengths[k]; i < n; i++) {
                float t = theta.get(offset + i);
                float zi = z[i];
                plus.set(i, t + e * zi);
                minus.set(i, t - e * zi);
            }
        }

        /**
         * Makes the chunk buffer hold the chunk of z containing flat element {@code pos} (generating it
         * if it is not the current one: chunks are visited in order, so each is generated once) and
         * returns pos's index in it.
         */
        private int chunkContaining(int pos) {
            int c = pos / stream.chunkSize();
            if (c != generatedChunk) {
                stream.fillChunk(seed, c, chunk, 0, stream.chunkLength(theta.length(), c));
                generatedChunk = c;
            }
            return pos - c * stream.chunkSize();
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

    /** One buffer slot: θ + εz and θ − εz off-heap, and (helper mode) the slice's z on the heap. */
    private record Slot(ParameterVector plus, ParameterVector minus, float[] z) {}
}
