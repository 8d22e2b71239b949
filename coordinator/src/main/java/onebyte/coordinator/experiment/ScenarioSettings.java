package onebyte.coordinator.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.scenario.ChurnEvent;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;

/** Maps a validated scenario onto the settings of one algorithm's cluster run. */
public final class ScenarioSettings {
    private ScenarioSettings() {}

    /** The workload spec string the cluster's nodes build their data and θ_0 from. */
    public static String workload(Scenario s, Path checkpoint) {
        return "synthetic;model=" + ScenarioCheckpoint.modelSpec(s) + ";features=" + s.data().features()
                + ";classes=" + s.data().classes() + ";shift=" + s.data().shift() + ";train=" + s.data().trainSize()
                + ";eval=" + s.data().evalSize() + ";partition=" + s.data().partition()
                + (checkpoint == null ? "" : ";checkpoint=" + checkpoint.toAbsolutePath());
    }

    /** Settings of an SPSA run ({@code spsa}, or {@code spsa-f32}: the same with 4-byte floats on the wire). */
    public static SpsaRunSettings spsa(Scenario s, String algorithm, ChurnSchedule schedule, Path checkpoint) {
        if (!algorithm.equals("spsa") && !algorithm.equals("spsa-f32")) {
            throw new IllegalArgumentException("not an SPSA algorithm: " + algorithm);
        }
        Scenario.NodeClass cls = s.nodes().classes().get(s.nodes().initialClass());
        Scenario.Spsa p = s.spsa();
        return SpsaRunSettings.builder()
                .runId(s.run().id() + "-" + algorithm)
                .runSeed(s.run().seed())
                .nodes(schedule.initialNodes())
                .rounds(s.budget().rounds())
                .samplesPerNode(p.samples())
                .eps((float) p.eps())
                .lr(p.lr())
                .codec(algorithm.equals("spsa-f32") ? "f32" : p.codec())
                .distribution(p.distribution())
                .chunkSize(p.chunkSize())
                .batchSize(p.batchSize())
                .evalEvery(s.eval().every())
                .roundDeadline(p.roundDeadline())
                .workload(workload(s, checkpoint))
                .joinSync(p.joinSync().name().toLowerCase(java.util.Locale.ROOT))
                .churn(churn(schedule))
                .bandwidthMbps(Math.min(cls.uplinkMbps(), cls.downlinkMbps()))
                .latencyMs(cls.latencyMs())
                .weightDecay(p.weightDecay())
                .build();
    }

    private static List<SpsaRunSettings.Churn> churn(ChurnSchedule schedule) {
        List<SpsaRunSettings.Churn> out = new ArrayList<>();
        for (ChurnEvent e : schedule.events()) {
            if (!e.byRound()) {
                throw new IllegalArgumentException(e.origin() + ": churn on the virtual clock (at = ...) is not wired into "
                        + "the cluster run yet; give this event as round = N");
            }
            SpsaRunSettings.Churn.Action a = switch (e.action()) {
                case JOIN -> switch (e.sync()) {
                    case AUTO -> SpsaRunSettings.Churn.Action.JOIN_AUTO;
                    case SNAPSHOT -> SpsaRunSettings.Churn.Action.JOIN_SNAPSHOT;
                    case REPLAY -> SpsaRunSettings.Churn.Action.JOIN_REPLAY;
                };
                case LEAVE -> SpsaRunSettings.Churn.Action.LEAVE;
                case CRASH -> SpsaRunSettings.Churn.Action.CRASH;
                case REJOIN -> throw new IllegalArgumentException(e.origin() + ": rejoin is not wired into the cluster run yet");
            };
            out.add(new SpsaRunSettings.Churn(e.atRound(), a, e.nodeId()));
        }
        return out;
    }
}
