package onebyte.core.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A flat float32 parameter vector θ of length d held in one ND4J array (off-heap, contiguous).
 * Model tensors are views of it (see {@code Model.tensors()}).
 *
 * <p>Bulk access goes through {@link #get} and {@link #put} on a direct {@link FloatBuffer} view,
 * so hot loops work on heap chunks and touch the off-heap memory once per chunk.
 */
public final class ParameterVector {
    private final INDArray flat;
    private final FloatBuffer view;
    /** The same elements' raw bits, native order ({@link #hash}'s comparisons and copies). */
    private final IntBuffer bits;
    /** The same elements as bytes in native order (fed to SHA-256 as they are on a little-endian machine). */
    private final ByteBuffer bytes;
    private final int length;

    /** A zero vector of length d. */
    public ParameterVector(int d) {
        this(Nd4j.zeros(DataType.FLOAT, d));
    }

    /** Wraps (does not copy) a contiguous float32 vector. */
    public ParameterVector(INDArray flat) {
        if (flat.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("parameter vector must be float32, got " + flat.dataType());
        }
        if (flat.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parameter vector too long: " + flat.length());
        }
        if (flat.isView() && !flat.isVector() || flat.ordering() != 'c' && flat.rank() > 1) {
            throw new IllegalArgumentException("parameter vector must be a contiguous vector");
        }
        this.flat = flat.rank() == 1 ? flat : flat.reshape(flat.length());
        this.length = (int) flat.length();
        ByteBuffer bytes = this.flat.data().pointer().asByteBuffer();
        long offsetBytes = this.flat.offset() * 4L;
        bytes.order(ByteOrder.nativeOrder());
        bytes.position((int) offsetBytes);
        bytes.limit((int) (offsetBytes + 4L * length));
        this.bytes = bytes.slice().order(ByteOrder.nativeOrder());
        this.view = this.bytes.asFloatBuffer();
        this.bits = this.bytes.asIntBuffer();
    }

    /** A vector holding a copy of these values. */
    public static ParameterVector of(float[] values) {
        ParameterVector v = new ParameterVector(values.length);
        v.put(0, values, 0, values.length);
        return v;
    }

    /** The backing 1-D float32 array of length d. */
    public INDArray array() {
        return flat;
    }

    public int length() {
        return length;
    }

    public float get(int i) {
        return view.get(i);
    }

    public void set(int i, float v) {
        view.put(i, v);
    }

    /** Copies elements [from, from + len) into dst[off..]. */
    public void get(int from, float[] dst, int off, int len) {
        view.get(from, dst, off, len);
    }

    /** Writes src[off..off + len) into elements [from, from + len). */
    public void put(int from, float[] src, int off, int len) {
        view.put(from, src, off, len);
    }

    /** All values as a new heap array. */
    public float[] toArray() {
        float[] out = new float[length];
        get(0, out, 0, length);
        return out;
    }

    /** A deep copy in a new off-heap buffer. */
    public ParameterVector copy() {
        ParameterVector c = new ParameterVector(length);
        c.copyFrom(this);
        return c;
    }

    /** this ← other, bit for bit. */
    public void copyFrom(ParameterVector other) {
        if (other.length != length) {
            throw new IllegalArgumentException("length mismatch: " + other.length + " vs " + length);
        }
        FloatBuffer dst = view.duplicate();
        dst.clear();
        FloatBuffer src = other.view.duplicate();
        src.clear();
        dst.put(src);
    }

    /**
     * SHA-256 over the raw little-endian IEEE-754 bits of every element, in index order. While
     * replicas share this JVM ({@link SharedHashes}), a vector whose bits equal the last one hashed
     * here gets that hash without computing it again.
     */
    public byte[] hash() {
        return SharedHashes.active() ? SharedHashes.hash(this) : sha256();
    }

    /** {@link #hash()} computed. */
    byte[] sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                md.update(bytes.duplicate().clear()); // the elements' bytes as they are
                return md.digest();
            }
            ByteBuffer chunk = ByteBuffer.allocate(4 * 16384).order(ByteOrder.LITTLE_ENDIAN);
            float[] tmp = new float[16384];
            for (int from = 0; from < length; from += tmp.length) {
                int len = Math.min(tmp.length, length - from);
                get(from, tmp, 0, len);
                chunk.clear();
                for (int i = 0; i < len; i++) {
                    chunk.putInt(Float.floatToRawIntBits(tmp[i]));
                }
                chunk.flip();
                md.update(chunk);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The raw bits of every element, as a new array. */
    int[] rawBits() {
        int[] out = new int[length];
        bits.duplicate().clear().get(out);
        return out;
    }

    /** True when the elements' raw bits are {@code raw}. */
    boolean hasRawBits(int[] raw) {
        return raw.length == length && bits.duplicate().clear().mismatch(IntBuffer.wrap(raw)) < 0;
    }

    /** {@link #hash()} as lower-case hex. */
    public String hashHex() {
        return HexFormat.of().formatHex(hash());
    }

    /** True when both vectors hold the same bits. */
    public boolean bitEquals(ParameterVector other) {
        if (other.length != length) {
            return false;
        }
        FloatBuffer a = view.duplicate();
        a.clear();
        FloatBuffer b = other.view.duplicate();
        b.clear();
        for (int i = 0; i < length; i++) {
            if (Float.floatToRawIntBits(a.get(i)) != Float.floatToRawIntBits(b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
