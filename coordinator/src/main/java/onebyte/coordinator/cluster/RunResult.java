package onebyte.coordinator.cluster;

import java.util.List;
import java.util.Map;
import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.metrics.MetricsRow;

/**
 * What a finished SPSA cluster run measured.
 *
 * @param rows one metrics row per round
 * @param finalHash SHA-256 (hex) of the coordinator's final θ
 * @param initialEvalLoss eval loss of θ_0
 * @param initialEvalAccuracy eval accuracy of θ_0
 * @param joins every sync (initial nodes, joins, resyncs)
 * @param firstRoundAgreement per node: the first round it contributed in and whether its hash agreed then
 * @param hashMismatches contributions whose replica hash differed from the coordinator's
 * @param rejections rejected messages at the coordinator by kind
 * @param bytesByType wire bytes (payload + envelope estimate) by "direction:type", telemetry included;
 *     "crashed:up" and "crashed:down" total the algorithm's bytes exchanged with nodes counted as
 *     crashed in that round, "retry:..." retried joins and their repeated answers (both left out
 *     of the rows, see the coordinators)
 * @param bytesByNode the algorithm's wire bytes by "nodeId:up" and "nodeId:down" (telemetry excluded)
 * @param crashedNodes nodes dropped without a Leave
 * @param stoppedBy the budget that ended the run (rounds, virtual seconds or bytes)
 */
public record RunResult(
        List<MetricsRow> rows,
        String finalHash,
        double initialEvalLoss,
        double initialEvalAccuracy,
        List<JoinRecord> joins,
        Map<Integer, FirstRound> firstRoundAgreement,
        long hashMismatches,
        Map<String, Long> rejections,
        Map<String, Long> bytesByType,
        Map<String, Long> bytesByNode,
        List<Integer> crashedNodes,
        RunBudget.Stop stoppedBy) {

    /** One completed sync of a node: how, to which round, bytes received and seconds from Admit to SyncDone. */
    public record JoinRecord(int nodeId, String sync, long round, long bytes, double seconds, boolean hashAgrees) {}

    public record FirstRound(long round, boolean agrees) {}

    public MetricsRow last() {
        return rows.get(rows.size() - 1);
    }
}
