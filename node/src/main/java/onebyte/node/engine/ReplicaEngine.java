package onebyte.node.engine;

import onebyte.core.data.Batch;
import onebyte.core.model.Model;
import onebyte.core.spsa.SpsaClient;
import onebyte.core.tensor.ParameterVector;

/**
 * The SPSA math a replica needs (SPEC §2), as the actors see it. Implementations are pure and
 * deterministic; one instance is used by one thread at a time.
 */
public interface ReplicaEngine {
    /** Bytes per code (1 for log8/sign, 4 for f32). */
    int codeWidth();

    /**
     * One SPSA sample of this model at θ on this batch with the direction of {@code seed}: ĝ, its
     * code, the training loss seen (mean of l+ and l−) and the forward passes spent (2: one per
     * point). θ comes back bit-exact. The model instance is the caller's (one per thread). Whatever
     * working memory the evaluation needs (a scratch copy of θ for models that cannot evaluate
     * θ ± εz in one pass) is the engine's.
     */
    SpsaClient.Sample sample(Model model, ParameterVector theta, long seed, Batch batch);

    /** θ ← θ − (lr/n)·Σ D(q)·z(s) over the commit's entries, in entry order. */
    void apply(ParameterVector theta, CommitEntries commit);

    /** A commit as decoded from the wire: entry j is (nodeIds[j], samples[j], codes[j*w..)). */
    record CommitEntries(long round, int[] nodeIds, int[] samples, byte[] codes, int width, double lr) {
        /** The entries of a commit already known to be well-formed (the coordinator's own log), codes of {@code width} bytes. */
        public static CommitEntries of(onebyte.proto.Commit c, int width) {
            return new CommitEntries(c.getRound(), c.getNodeIdsList().stream().mapToInt(i -> i).toArray(),
                    c.getSamplesList().stream().mapToInt(i -> i).toArray(), c.getCodes().toByteArray(), width, c.getLr());
        }

        public int n() {
            return nodeIds.length;
        }

        public byte[] code(int j) {
            byte[] c = new byte[width];
            System.arraycopy(codes, j * width, c, 0, width);
            return c;
        }
    }

    /** Builds an engine for a run (see {@link Engines}). */
    interface Factory {
        ReplicaEngine create(EngineSpec spec);
    }

    /**
     * The run parameters an engine depends on. {@code sharedRegeneration}: replicas of this JVM
     * may share the chunks of a round's update (same bits; see onebyte.core.spsa.SharedReplicaUpdate).
     */
    record EngineSpec(long runSeed, int samples, float eps, String codec, String distribution, int chunkSize,
                      int threads, double weightDecay, boolean sharedRegeneration) {}
}
