package onebyte.node.fed;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.wire.Wire;
import onebyte.proto.FedModelChunk;

/**
 * Model vectors of the federated protocol as {@link FedModelChunk}s: little-endian float32, chunk
 * {@code index} of {@code count} holds elements {@code [index·CHUNK_FLOATS, min(d, (index+1)·CHUNK_FLOATS))},
 * so the receiver knows every chunk's exact size from d and the index and checks it.
 */
public final class FedChunks {
    /** Floats per chunk: 128 KiB of payload, under Artery's frame limit (see cluster.conf). */
    public static final int CHUNK_FLOATS = Wire.SNAPSHOT_CHUNK_FLOATS;

    private FedChunks() {}

    /** Chunks of a d-element vector (at least one). */
    public static int count(int d) {
        return Math.max(1, (d + CHUNK_FLOATS - 1) / CHUNK_FLOATS);
    }

    /** Elements in chunk {@code index} of a d-element vector. */
    public static int length(int d, int index) {
        return Math.min(CHUNK_FLOATS, d - index * CHUNK_FLOATS);
    }

    /** The chunks of {@code x} for this round and node. */
    public static List<FedModelChunk> split(long round, int nodeId, ParameterVector x) {
        float[] v = x.toArray();
        int n = count(v.length);
        List<FedModelChunk> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(FedModelChunk.newBuilder().setVersion(Wire.VERSION).setRound(round).setNodeId(nodeId).setIndex(i).setCount(n)
                    .setData(ByteString.copyFrom(Wire.floatsToBytes(v, i * CHUNK_FLOATS, length(v.length, i)))).build());
        }
        return out;
    }

    /** One vector being received: accepts its chunks in any order, each once. */
    public static final class Assembly {
        private final long round;
        private final int nodeId;
        private final float[] values;
        private final boolean[] seen;
        private int missing;

        public Assembly(long round, int nodeId, int d) {
            this.round = round;
            this.nodeId = nodeId;
            this.values = new float[d];
            this.seen = new boolean[count(d)];
            this.missing = seen.length;
        }

        /**
         * Takes one chunk. Returns null when it was accepted, else the rejection "kind: detail"
         * (kind one of unknown-round, unknown-node, bad-count, bad-index, bad-size, duplicate);
         * a rejected chunk changes nothing.
         */
        public String accept(FedModelChunk c) {
            if (c.getRound() != round) {
                return "unknown-round: chunk of round " + c.getRound() + ", expected " + round;
            }
            if (c.getNodeId() != nodeId) {
                return "unknown-node: chunk of node " + c.getNodeId() + ", expected " + nodeId;
            }
            if (c.getCount() != seen.length) {
                return "bad-count: " + c.getCount() + " chunks announced, d=" + values.length + " needs " + seen.length;
            }
            if (c.getIndex() >= seen.length) {
                return "bad-index: chunk " + c.getIndex() + " of " + seen.length;
            }
            int len = length(values.length, c.getIndex());
            if (c.getData().size() != 4 * len) {
                return "bad-size: chunk " + c.getIndex() + " has " + c.getData().size() + " bytes, expected " + 4 * len;
            }
            if (seen[c.getIndex()]) {
                return "duplicate: chunk " + c.getIndex() + " twice";
            }
            Wire.bytesToFloats(c.getData().toByteArray(), values, c.getIndex() * CHUNK_FLOATS);
            seen[c.getIndex()] = true;
            missing--;
            return null;
        }

        public boolean complete() {
            return missing == 0;
        }

        public long round() {
            return round;
        }

        /** The vector; only once {@link #complete()}. */
        public ParameterVector vector() {
            if (!complete()) {
                throw new IllegalStateException(missing + " chunks missing");
            }
            return ParameterVector.of(values);
        }
    }
}
