package onebyte.coordinator.cluster;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onebyte.core.spsa.Contribution;
import onebyte.core.spsa.RoundCommit;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.wire.Wire;
import onebyte.proto.Commit;
import onebyte.proto.CommitLogChunk;
import onebyte.proto.RunState;
import onebyte.proto.SnapshotChunk;

/**
 * The SPSA coordinator's replica and its history: θ (applied in place by the coordinator's round
 * jobs), the commit of every round so far and the hash of θ after each, and what a syncing node
 * is sent of them: θ in {@link SnapshotChunk}s, a range of the log in {@link CommitLogChunk}s.
 * Read and written on the coordinator's thread (θ also by its compute job, while no snapshot is
 * served: {@link SpsaAdmission} defers snapshot requests meanwhile).
 */
final class CoordinatorReplica {
    private ParameterVector theta;
    private final List<Commit> commitLog = new ArrayList<>();
    private final Map<Long, Long> hashByRound = new HashMap<>();

    /** The run starts from θ_0 ({@code theta}); returns its hash. */
    long start(ParameterVector theta) {
        this.theta = theta;
        long h0 = Wire.hash8(theta.hash());
        hashByRound.put(0L, h0);
        return h0;
    }

    /**
     * θ, the commit log and the hashes of a restore point at round {@code st.getRound()}, checked
     * against the run's θ_0 length and the saved hash; throws when they do not fit.
     */
    void restore(RunState st, List<Commit> commits, List<Long> hashes) {
        float[] values = new float[theta.length()];
        if (st.getModel().size() != 4L * values.length) {
            throw new IllegalStateException("the restored model has " + st.getModel().size() / 4 + " values, the run " + values.length);
        }
        Wire.bytesToFloats(st.getModel().toByteArray(), values, 0);
        ParameterVector restored = ParameterVector.of(values);
        if (Wire.hash8(restored.hash()) != st.getModelHash()) {
            throw new IllegalStateException("the restored model of round " + st.getRound() + " does not match its hash");
        }
        if (commits.size() != st.getRound()) {
            throw new IllegalStateException("the commit log has " + commits.size() + " commits before round " + st.getRound());
        }
        theta = restored;
        commitLog.addAll(commits);
        for (int r = 0; r < hashes.size(); r++) {
            hashByRound.put(r + 1L, hashes.get(r));
        }
    }

    ParameterVector theta() {
        return theta;
    }

    /** The rounds committed so far: the round a node admitted now starts from. */
    int rounds() {
        return commitLog.size();
    }

    /** Round {@code round}'s commit. */
    Commit commit(long round) {
        return commitLog.get((int) round);
    }

    /**
     * Round {@code rc.round()} is committed: its contributions, in (node, sample) order, as the
     * Commit every replica applies with learning rate {@code lr}; added to the log and returned.
     */
    Commit commit(RoundCommit rc, double lr) {
        List<Integer> ids = new ArrayList<>();
        List<Integer> samples = new ArrayList<>();
        ByteArrayOutputStream codes = new ByteArrayOutputStream();
        for (Contribution e : rc.contributions()) {
            ids.add(e.nodeId());
            samples.add(e.sample());
            codes.writeBytes(e.code());
        }
        Commit commit = Commit.newBuilder().setVersion(Wire.VERSION).setRound(rc.round()).addAllNodeIds(ids).addAllSamples(samples)
                .setCodes(ByteString.copyFrom(codes.toByteArray())).setN(ids.size()).setLr(lr).build();
        commitLog.add(commit);
        return commit;
    }

    /** θ after round {@code round} − 1 hashes to {@code hash}. */
    void hashed(long round, long hash) {
        hashByRound.put(round, hash);
    }

    /** The hash of θ_round (after round {@code round} − 1), or null when there is none yet. */
    Long hashAt(long round) {
        return hashByRound.get(round);
    }

    /** The coordinator's hashes by round, for a restore's {@link RestoreAdmission#claim}. */
    Map<Long, Long> hashes() {
        return hashByRound;
    }

    /** The bytes a replay of the whole log would cost (each commit and its length prefix). */
    long replayBytes() {
        return commitLog.stream().mapToLong(c -> c.getSerializedSize() + 2).sum();
    }

    /** θ as of now in chunks of {@link Wire#SNAPSHOT_CHUNK_FLOATS}; the last carries θ's hash. */
    List<SnapshotChunk> snapshot() {
        long round = commitLog.size();
        float[] values = theta.toArray();
        long hash = hashByRound.get(round);
        List<SnapshotChunk> chunks = new ArrayList<>();
        for (int off = 0; off < values.length; off += Wire.SNAPSHOT_CHUNK_FLOATS) {
            int len = Math.min(Wire.SNAPSHOT_CHUNK_FLOATS, values.length - off);
            boolean last = off + len == values.length;
            SnapshotChunk.Builder b = SnapshotChunk.newBuilder().setVersion(Wire.VERSION).setRound(round).setOffset(off)
                    .setTotal(values.length).setData(ByteString.copyFrom(Wire.floatsToBytes(values, off, len))).setLast(last);
            if (last) {
                b.setReplicaHash(hash);
            }
            chunks.add(b.build());
        }
        return chunks;
    }

    /** The commits of rounds [from, to) in chunks of {@link Wire#LOG_CHUNK_COMMITS} (one, empty, when from = to). */
    List<CommitLogChunk> log(int from, int to) {
        List<CommitLogChunk> chunks = new ArrayList<>();
        do {
            int end = Math.min(to, from + Wire.LOG_CHUNK_COMMITS);
            chunks.add(CommitLogChunk.newBuilder().setVersion(Wire.VERSION).addAllCommits(commitLog.subList(from, end))
                    .setLast(end == to).build());
            from = end;
        } while (from < to);
        return chunks;
    }
}
