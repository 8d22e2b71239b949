package onebyte.core.model.transformer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A contiguous run of float32 or float64 values off the Java heap, the storage of every tensor the
 * transformer reads or writes: θ (wrapped in place, never copied), the slices of a perturbed pass,
 * activations and gradients. Element access is by index as {@code double} (a float32 buffer rounds
 * on {@link #set}); the matrix products run on the same memory through {@link Blas}. The float64
 * kind exists for the gradient check; the model runs on float32.
 *
 * <p>A buffer made by {@link #view} shares the memory of its parent.
 */
public abstract sealed class DenseBuffer permits DenseBuffer.F32, DenseBuffer.F64 {
    /** A new zero float32 buffer of {@code n} elements. */
    public static DenseBuffer floats(int n) {
        return new F32(direct(n, 4).asFloatBuffer());
    }

    /** A new zero float64 buffer of {@code n} elements. */
    public static DenseBuffer doubles(int n) {
        return new F64(direct(n, 8).asDoubleBuffer());
    }

    /** Wraps (does not copy) a contiguous 1-D float32 or float64 ND4J array. */
    public static DenseBuffer of(INDArray a) {
        if (a.length() > Integer.MAX_VALUE || a.rank() > 1 && a.ordering() != 'c' || a.isView() && !a.isVector()) {
            throw new IllegalArgumentException("expected a contiguous vector, got shape " + java.util.Arrays.toString(a.shape()));
        }
        int n = (int) a.length();
        int size = a.dataType() == DataType.FLOAT ? 4 : a.dataType() == DataType.DOUBLE ? 8 : 0;
        if (size == 0) throw new IllegalArgumentException("expected float32 or float64, got " + a.dataType());
        ByteBuffer bytes = a.data().pointer().asByteBuffer().order(ByteOrder.nativeOrder());
        long from = a.offset() * size;
        bytes.position((int) from);
        bytes.limit((int) (from + (long) size * n));
        ByteBuffer mine = bytes.slice().order(ByteOrder.nativeOrder());
        return size == 4 ? new F32(mine.asFloatBuffer()) : new F64(mine.asDoubleBuffer());
    }

    private static ByteBuffer direct(int n, int size) {
        if (n < 0) throw new IllegalArgumentException("negative length " + n);
        return ByteBuffer.allocateDirect(Math.max(1, n) * size).order(ByteOrder.nativeOrder());
    }

    private DenseBuffer() {}

    public abstract int length();

    public abstract double get(int i);

    public abstract void set(int i, double v);

    /** True for float64. */
    public abstract boolean isDouble();

    /** Elements [offset, offset + length) of this buffer, sharing its memory. */
    public abstract DenseBuffer view(int offset, int length);

    /** A new zero buffer of the same precision. */
    public abstract DenseBuffer like(int n);

    /** The native address of element {@code offset} (for BLAS). */
    abstract Pointer at(int offset);

    public void add(int i, double v) {
        set(i, get(i) + v);
    }

    /** Sets elements [from, from + n) to v. */
    public void fill(int from, int n, double v) {
        for (int i = from; i < from + n; i++) set(i, v);
    }

    /** dst[dstFrom + i] = this[from + i] for i < n (one bulk copy between float32 buffers). */
    public void copyTo(int from, DenseBuffer dst, int dstFrom, int n) {
        for (int i = 0; i < n; i++) dst.set(dstFrom + i, get(from + i));
    }

    /** dst[dstFrom + i] += this[from + i] for i < n, in index order. */
    public void addTo(int from, DenseBuffer dst, int dstFrom, int n) {
        for (int i = 0; i < n; i++) dst.set(dstFrom + i, dst.get(dstFrom + i) + get(from + i));
    }

    /** dst[off + i] = (float) this[from + i] for i < n (one bulk copy for float32). */
    public abstract void read(int from, float[] dst, int off, int n);

    /** this[from + i] = src[off + i] for i < n. */
    public abstract void write(int from, float[] src, int off, int n);

    /** dst[off + i] = this[from + i] for i < n (bulk copies). */
    public abstract void read(int from, double[] dst, int off, int n);

    /** this[from + i] = src[off + i] for i < n (rounded to float32 for a float32 buffer). */
    public abstract void write(int from, double[] src, int off, int n);

    /** All values as a new heap array. */
    public float[] toFloatArray() {
        float[] out = new float[length()];
        for (int i = 0; i < out.length; i++) out[i] = (float) get(i);
        return out;
    }

    static final class F32 extends DenseBuffer {
        private final FloatBuffer values;
        private final FloatPointer base;

        F32(FloatBuffer values) {
            this.values = values;
            this.base = new FloatPointer(values);
        }

        @Override public int length() { return values.capacity(); }
        @Override public double get(int i) { return values.get(i); }
        @Override public void set(int i, double v) { values.put(i, (float) v); }
        @Override public boolean isDouble() { return false; }
        @Override public DenseBuffer like(int n) { return floats(n); }
        @Override public void read(int from, float[] dst, int off, int n) { values.get(from, dst, off, n); }
        @Override public void write(int from, float[] src, int off, int n) { values.put(from, src, off, n); }

        @Override
        public void fill(int from, int n, double v) {
            float[] t = scratch(Math.min(n, CHUNK));
            java.util.Arrays.fill(t, 0, Math.min(n, CHUNK), (float) v);
            for (int i = 0; i < n; i += CHUNK) values.put(from + i, t, 0, Math.min(CHUNK, n - i));
        }

        @Override
        public void copyTo(int from, DenseBuffer dst, int dstFrom, int n) {
            if (dst instanceof F32 f) f.values.put(dstFrom, values, from, n);
            else super.copyTo(from, dst, dstFrom, n);
        }

        @Override
        public void addTo(int from, DenseBuffer dst, int dstFrom, int n) {
            if (!(dst instanceof F32 f)) {
                super.addTo(from, dst, dstFrom, n);
                return;
            }
            float[][] t = PAIR.get();
            float[] a = t[0];
            float[] b = t[1];
            for (int i = 0; i < n; i += CHUNK) {
                int len = Math.min(CHUNK, n - i);
                values.get(from + i, a, 0, len);
                f.values.get(dstFrom + i, b, 0, len);
                for (int j = 0; j < len; j++) b[j] += a[j];
                f.values.put(dstFrom + i, b, 0, len);
            }
        }

        @Override
        public void read(int from, double[] dst, int off, int n) {
            float[] t = scratch(n);
            values.get(from, t, 0, n);
            for (int i = 0; i < n; i++) dst[off + i] = t[i];
        }

        @Override
        public void write(int from, double[] src, int off, int n) {
            float[] t = scratch(n);
            for (int i = 0; i < n; i++) t[i] = (float) src[off + i];
            values.put(from, t, 0, n);
        }

        private static float[] scratch(int n) {
            float[] t = SCRATCH.get();
            if (t.length < n) {
                t = new float[Math.max(n, 2 * t.length)];
                SCRATCH.set(t);
            }
            return t;
        }

        private static final int CHUNK = 4096;
        private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);
        private static final ThreadLocal<float[][]> PAIR = ThreadLocal.withInitial(() -> new float[2][CHUNK]);

        @Override
        public DenseBuffer view(int offset, int length) {
            return new F32(values.slice(offset, length));
        }

        @Override
        Pointer at(int offset) {
            return new FloatPointer(base).position(base.position() + offset);
        }
    }

    static final class F64 extends DenseBuffer {
        private final DoubleBuffer values;
        private final DoublePointer base;

        F64(DoubleBuffer values) {
            this.values = values;
            this.base = new DoublePointer(values);
        }

        @Override public int length() { return values.capacity(); }
        @Override public double get(int i) { return values.get(i); }
        @Override public void set(int i, double v) { values.put(i, v); }
        @Override public boolean isDouble() { return true; }
        @Override public DenseBuffer like(int n) { return doubles(n); }

        @Override
        public void read(int from, float[] dst, int off, int n) {
            for (int i = 0; i < n; i++) dst[off + i] = (float) values.get(from + i);
        }

        @Override
        public void write(int from, float[] src, int off, int n) {
            for (int i = 0; i < n; i++) values.put(from + i, src[off + i]);
        }

        @Override public void read(int from, double[] dst, int off, int n) { values.get(from, dst, off, n); }
        @Override public void write(int from, double[] src, int off, int n) { values.put(from, src, off, n); }

        @Override
        public DenseBuffer view(int offset, int length) {
            return new F64(values.slice(offset, length));
        }

        @Override
        Pointer at(int offset) {
            return new DoublePointer(base).position(base.position() + offset);
        }
    }
}
