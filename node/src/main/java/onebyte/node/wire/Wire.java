package onebyte.node.wire;

import com.google.protobuf.GeneratedMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Constants and helpers of the SPSA cluster protocol (proto/src/main/proto/wire.proto).
 *
 * <h2>Envelope estimate</h2>
 * Byte counters record the protobuf payload of every message ({@code getSerializedSize()}, the
 * exact bytes {@link WireSerializer} hands to Artery) plus {@link #ENVELOPE_BYTES} per message for
 * Artery TCP framing. Artery (Akka 2.8) writes a 4-byte frame length, then a fixed 28-byte
 * envelope header (version, flags, two compression-table versions, 8-byte origin UID, 4-byte
 * serializer id, 4-byte sender, recipient and manifest tags), then a literal section: 2 bytes for
 * the (empty) sender, plus the recipient path and the manifest as strings only until the peers
 * have exchanged compression tables (advertised every 1 s in our config; manifests here are 1-2
 * characters). So a message costs 4 + 28 + 2 = 34 bytes on top of its payload in the steady
 * state, measured from packet captures by docker/WireBreakdown.java in both directions (nodes
 * address the coordinator by the full reference its admission carries; with a reference resolved
 * from a bare path the recipient is never compressed and node-to-coordinator messages cost 83).
 * A member's join request goes out before it knows that reference and costs about 50 bytes more.
 * TCP/IP headers (66 bytes per segment here, shared by all frames in a segment, plus pure ACKs)
 * and Artery's own control and heartbeat traffic (cluster gossip, failure-detector heartbeats,
 * compression advertisements) are not counted: they do not grow with the algorithm and are the
 * same for every algorithm run over this cluster; docker/README.md has the measured breakdown.
 */
public final class Wire {
    /** The protocol version every message carries in field 1. */
    public static final int VERSION = 2;
    /** Per-message Artery TCP framing: 4-byte frame length + 28-byte envelope header + 2-byte empty sender literal. */
    public static final int ENVELOPE_BYTES = 34;
    /** Floats per SnapshotChunk: 128 KiB of payload, well under Artery's 256 KiB maximum frame. */
    public static final int SNAPSHOT_CHUNK_FLOATS = 32 * 1024;
    /** Commits per CommitLogChunk. */
    public static final int LOG_CHUNK_COMMITS = 512;

    private Wire() {}

    /** Payload plus envelope estimate of one message. */
    public static long wireBytes(GeneratedMessage m) {
        return m.getSerializedSize() + ENVELOPE_BYTES;
    }

    /** The first 8 bytes of a SHA-256 digest as a big-endian long (the hash carried on the wire). */
    public static long hash8(byte[] sha256) {
        return ByteBuffer.wrap(sha256, 0, 8).order(ByteOrder.BIG_ENDIAN).getLong();
    }

    /** The first 4 bytes of a SHA-256 digest (the high half of {@link #hash8}): the hash a Contribution carries. */
    public static int hash4(long hash8) {
        return (int) (hash8 >>> 32);
    }

    /** θ as little-endian float32 bytes. */
    public static byte[] floatsToBytes(float[] values, int from, int len) {
        ByteBuffer b = ByteBuffer.allocate(4 * len).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < len; i++) {
            b.putFloat(values[from + i]);
        }
        return b.array();
    }

    /** Decodes little-endian float32 bytes into dst[off..]; returns the number of floats. */
    public static int bytesToFloats(byte[] bytes, float[] dst, int off) {
        if (bytes.length % 4 != 0) {
            throw new IllegalArgumentException("float data of " + bytes.length + " bytes is not a multiple of 4");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = bytes.length / 4;
        for (int i = 0; i < n; i++) {
            dst[off + i] = b.getFloat();
        }
        return n;
    }
}
