package onebyte.coordinator.resume;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.TreeSet;
import onebyte.coordinator.cluster.LoopbackCluster;
import onebyte.coordinator.cluster.RestorePoint;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.core.algorithm.Algorithm;
import onebyte.core.input.BadInputException;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.engine.Engines;
import onebyte.node.engine.ReplicaEngine;
import onebyte.node.engine.Workload;
import onebyte.node.engine.Workloads;
import onebyte.node.wire.Wire;
import onebyte.proto.Commit;
import onebyte.proto.RoundRecord;
import onebyte.proto.RunState;
import onebyte.proto.StateMember;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a multi-process SPSA run resumed with {@code onebyte coordinator --resume} starts: right
 * after the last round its commit log records, so that no recorded round is run again (a
 * multi-process run's membership is not repeatable, so a re-run round could not be checked
 * against its row). From the newest saved state at or before that round (else θ_0), the
 * coordinator's replica applies the logged commits of the rounds after it, each checked against
 * the model hash logged for its round; the clock and counters are those of the last record, the
 * members the last round's. The node ids given after the last record's members are not in the
 * log: the next node id is one more than the highest id the state or the log names (an id
 * admitted after that and never a member of a recorded round can be given again; it contributed
 * to no commit, so no direction is drawn twice).
 */
public final class LogCatchUp {
    private static final Logger LOG = LoggerFactory.getLogger(LogCatchUp.class);

    private LogCatchUp() {}

    /** The restore point after the last recorded round of {@code plan} (whose algorithm is SPSA), for a run of {@code s}. */
    public static RestorePoint after(ResumePlan plan, SpsaRunSettings s) {
        List<RoundRecord> records = plan.records();
        long k = records.size();
        if (k == 0) {
            throw new BadInputException(plan.algorithm() + " completed no round before it stopped: nothing to resume;"
                    + " start the run again with onebyte coordinator --scenario");
        }
        RestorePoint saved = plan.restorePoint();
        Workload w = Workloads.get(s.workload(), s.runSeed());
        ParameterVector theta = w.initialParameters();
        long h0 = Wire.hash8(theta.hash());
        RunState.Builder state;
        long from;
        if (saved != null) {
            state = saved.state().toBuilder();
            float[] values = new float[theta.length()];
            Wire.bytesToFloats(saved.state().getModel().toByteArray(), values, 0);
            theta = ParameterVector.of(values);
            from = saved.round();
        } else {
            Model m = w.newModel();
            double[] e = LoopbackCluster.evaluate(m, w, theta);
            state = RunState.newBuilder().setAlgorithm(Algorithm.SPSA.id()).setInitialLoss(e[0]).setInitialAccuracy(e[1])
                    .setNextNodeId(1);
            from = 0;
        }
        ReplicaEngine engine = Engines.create(s.runConfig(theta.length(), h0));
        long t0 = System.nanoTime();
        for (long r = from; r < k; r++) {
            engine.apply(theta, ReplicaEngine.CommitEntries.of(records.get((int) r).getCommit(), engine.codeWidth()));
            long h = Wire.hash8(theta.hash());
            if (h != records.get((int) r).getModelHash()) {
                throw new BadInputException("the commit log does not replay: the model after round " + r + " is "
                        + Long.toHexString(h) + ", the log has " + Long.toHexString(records.get((int) r).getModelHash())
                        + (r == 0 ? "; no round is good" : "; the last good round is " + (r - 1)));
            }
        }
        RoundRecord last = records.get((int) k - 1);
        int next = state.getNextNodeId();
        for (RoundRecord rec : records.subList((int) from, (int) k)) {
            for (int id : rec.getMembersList()) {
                next = Math.max(next, id + 1);
            }
        }
        state.clearMembers();
        for (int id : new TreeSet<>(last.getMembersList())) {
            state.addMembers(StateMember.newBuilder().setNodeId(id));
        }
        float[] values = theta.toArray();
        state.setRound(k).setModel(ByteString.copyFrom(Wire.floatsToBytes(values, 0, values.length))).setModelHash(last.getModelHash())
                .setVirtualTimeS(last.getVirtualTimeS()).setBytesCum(last.getBytesCum()).setForwardPassesCum(last.getForwardPassesCum())
                .setNextNodeId(next);
        LOG.info("resume: θ of round {} rebuilt from {} and the logged commits of rounds {}..{} ({} ms), every hash as logged",
                k, saved != null ? "the saved state of round " + from : "θ_0", from, k - 1, (System.nanoTime() - t0) / 1_000_000);
        List<Commit> commits = records.stream().map(RoundRecord::getCommit).toList();
        return new RestorePoint(state.build(), commits, records.stream().map(RoundRecord::getModelHash).toList());
    }
}
