package onebyte.coordinator.experiment;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import onebyte.node.fed.FedChunks;
import onebyte.node.wire.Wire;
import onebyte.proto.Commit;
import onebyte.proto.Contribution;
import onebyte.proto.FedModelChunk;
import onebyte.proto.FedRoundOpen;
import onebyte.proto.RoundOpen;

/**
 * What one round puts on the wire by the rule the metrics count (SPEC §6: every message of the
 * algorithm at {@link Wire#wireBytes}), built from the same messages the coordinators send, so a
 * plan states a round's bytes before anything runs. Telemetry (MetricsReport, FedDone) is counted
 * apart from the rows, as in the runs.
 */
public final class RoundBytes {
    private RoundBytes() {}

    /** A round's bytes summed over its members. */
    public record Round(long up, long down) {
        public long total() {
            return up + down;
        }
    }

    /**
     * An SPSA round with members 1..{@code members}, S samples each, codes of {@code width} bytes:
     * each member sends S Contributions (the replica hash on sample 0) and receives the RoundOpen
     * and the Commit of all N·S entries.
     */
    public static Round spsa(long round, int members, int samples, int width, double lr, long deadlineMs) {
        RoundOpen.Builder open = RoundOpen.newBuilder().setVersion(Wire.VERSION).setRound(round).setDeadlineMs(deadlineMs);
        Commit.Builder commit = Commit.newBuilder().setVersion(Wire.VERSION).setRound(round).setN(members * samples).setLr(lr)
                .setCodes(ByteString.copyFrom(new byte[members * samples * width]));
        long up = 0;
        for (int id = 1; id <= members; id++) {
            open.addMembers(id);
            for (int k = 0; k < samples; k++) {
                commit.addNodeIds(id).addSamples(k);
                Contribution.Builder c = Contribution.newBuilder().setVersion(Wire.VERSION).setRound(round).setNodeId(id).setSample(k)
                        .setCode(ByteString.copyFrom(new byte[width]));
                if (k == 0) {
                    c.setReplicaHash(0x9e3779b9); // fixed32: its value does not change the size
                }
                up += Wire.wireBytes(c.build());
            }
        }
        long down = (long) members * (Wire.wireBytes(open.build()) + Wire.wireBytes(commit.build()));
        return new Round(up, down);
    }

    /**
     * A federated round (FedSpeed, FedAvg) with {@code participants} nodes 1..P and a d-element
     * model: each receives the FedRoundOpen and x^t in chunks and sends x̂_i back in chunks.
     */
    public static Round federated(long round, int participants, int d, double lr, long deadlineMs) {
        long up = 0;
        long down = 0;
        int count = FedChunks.count(d);
        for (int id = 1; id <= participants; id++) {
            down += Wire.wireBytes(FedRoundOpen.newBuilder().setVersion(Wire.VERSION).setRound(round).setNodeId(id).setLr(lr)
                    .setChunks(count).setNumParams(d).setDeadlineMs(deadlineMs).build());
            long chunks = 0;
            for (int i = 0; i < count; i++) {
                chunks += chunkBytes(round, id, d, count, i);
            }
            down += chunks;
            up += chunks;
        }
        return new Round(up, down);
    }

    /** One chunk's wire bytes, its data field sized by protobuf's encoding rule (tag, length, bytes) without building it. */
    private static long chunkBytes(long round, int id, int d, int count, int index) {
        FedModelChunk header = FedModelChunk.newBuilder().setVersion(Wire.VERSION).setRound(round).setNodeId(id).setIndex(index)
                .setCount(count).build();
        int len = 4 * FedChunks.length(d, index);
        return Wire.wireBytes(header) + (len == 0 ? 0
                : CodedOutputStream.computeTagSize(FedModelChunk.DATA_FIELD_NUMBER) + CodedOutputStream.computeUInt32SizeNoTag(len) + len);
    }
}
