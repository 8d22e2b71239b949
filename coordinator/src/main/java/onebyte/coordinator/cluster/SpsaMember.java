package onebyte.coordinator.cluster;

import akka.actor.typed.ActorRef;
import onebyte.coordinator.clock.NodeLinks;
import onebyte.proto.MetricsReport;
import onebyte.proto.SyncMode;

/**
 * A node the SPSA {@link Coordinator} admitted: how it syncs ({@link SpsaAdmission}) and what it
 * reported of the current round's work (its MetricsReport), which the round's tally takes.
 */
final class SpsaMember extends AdmittedNode {
    boolean everActive;
    SyncMode sync;
    // telemetry of the current round
    double compute;
    double apply;
    long passes;
    long generated;
    double loss = Double.NaN;
    /** Restored: the direction elements of applying the commit before the restore point, added to its first report. */
    long generatedCarry;
    /** A returning node's replay starts from its own replica of this round (Admit.replay_from). */
    long replayFrom;

    SpsaMember(int id, ActorRef<Object> ref, String nodeClass, NodeLinks.Links links) {
        super(id, ref, nodeClass, links, State.SYNCING);
    }

    /** Its report of the current round's work (with the restore's carry, once). */
    void reported(MetricsReport r) {
        compute = r.getComputeSeconds();
        apply = r.getApplySeconds();
        passes = r.getForwardPasses();
        generated = r.getGeneratedElements() + generatedCarry;
        generatedCarry = 0;
        loss = r.getTrainLoss();
    }

    void resetRound() {
        compute = 0;
        apply = 0;
        passes = 0;
        generated = 0;
        loss = Double.NaN;
        up = 0;
        down = 0;
    }
}
