package onebyte.coordinator.experiment;

import onebyte.core.algorithm.Algorithm;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onebyte.coordinator.clock.NodeLinks;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.coordinator.clock.WorkCalibration;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.fed.FedRunSettings;
import onebyte.core.fed.FedSpeedParams;
import onebyte.core.fed.FedSpeedServer;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.core.model.ModelSpec;
import onebyte.node.engine.WorkloadSpecs;
import onebyte.proto.WorkloadSpec;

/** Maps a validated scenario onto the settings of one algorithm's cluster run. */
public final class ScenarioSettings {
    private ScenarioSettings() {}

    /** The scenario of the defaults alone (scenario-defaults.conf): the defaults of runs built without a scenario file. */
    public static final Scenario DEFAULTS = new ScenarioLoader().defaults();

    /**
     * The workload the cluster's nodes build their data and θ_0 from. With a checkpoint they load
     * it; without one each process pretrains with the scenario's recipe (the same recipe and seeds
     * as {@link ScenarioCheckpoint#pretrain}, so the bits agree).
     */
    public static WorkloadSpec workload(Scenario s, Path checkpoint) {
        Scenario.Data d = s.data();
        WorkloadSpec.Data.Builder data = WorkloadSpec.Data.newBuilder().setTrainSize(d.trainSize()).setEvalSize(d.evalSize());
        switch (d.kind()) {
            case "synthetic" -> data.setSynthetic(WorkloadSpec.SyntheticData.newBuilder()
                    .setFeatures(d.features()).setClasses(d.classes()).setShift(d.shift()));
            case "synthetic-text" -> data.setSyntheticText(WorkloadSpec.SyntheticTextData.newBuilder().setShift(d.shift()));
            case "csv", "text" -> data.setFile(fileData(s));
            default -> throw new IllegalArgumentException("data.kind = " + d.kind() + " has no cluster workload");
        }
        return WorkloadSpec.newBuilder()
                .setModel(WorkloadSpecs.model(ScenarioCheckpoint.modelSpec(s)))
                .setData(data)
                .setPartition(WorkloadSpecs.partition(ShardPlan.partitioner(s, ChurnSchedule.resolve(s))))
                .setPretraining(WorkloadSpec.Pretraining.newBuilder().setSteps(s.pretrain().steps()).setLr(s.pretrain().lr())
                        .setBatchSize(s.pretrain().batchSize()))
                .setCheckpoint(checkpoint == null ? "" : checkpoint.toAbsolutePath().toString())
                .build();
    }

    /** The user's files of a scenario with data.kind = csv or text, as every process of the run reads them. */
    public static WorkloadSpec.FileData fileData(Scenario s) {
        Scenario.Data d = s.data();
        Scenario.Files f = d.files();
        return WorkloadSpec.FileData.newBuilder()
                .setText(d.kind().equals("text"))
                .setPath(d.path().toAbsolutePath().toString())
                .setFormat(f.format().isEmpty() ? onebyte.core.data.DataFormat.infer(d.path()).name().toLowerCase(java.util.Locale.ROOT) : f.format())
                .setTextColumn(f.textColumn()).setLabelColumn(d.labelColumn()).setGroupColumn(f.groupColumn())
                .addAllGroups(f.groups())
                .setSourcePath(f.sourcePath() == null ? "" : f.sourcePath().toAbsolutePath().toString())
                .addAllSourceGroups(f.sourceGroups())
                .setSourceFraction(f.sourceFraction()).setEvalFraction(f.evalFraction()).setHashedFeatures(f.hashedFeatures())
                .setMaxTokens(s.model().kind().equals(ModelSpec.MINILM) ? f.maxTokens() : 0)
                .build();
    }

    /** The task the scenario's files give (read once per JVM; bad files fail with file:line). */
    public static onebyte.core.data.FileTask fileTask(Scenario s) {
        return onebyte.node.engine.FileWorkloadFactory.task(fileData(s), s.run().seed());
    }

    /**
     * The virtual clock of every algorithm of this scenario: with {@code clock.costs = fixed} the
     * scenario's own costs; with {@code measured}, costs measured once on this thread on the
     * scenario's workload (forward passes at the SPSA batch size, gradient passes at the FedSpeed
     * batch size, FedAvg's when only FedAvg runs, direction elements of SPSA's distribution and
     * chunk size), rounded to {@link Scenario.Clock#MEASURED_DIGITS} significant digits: the costs
     * the run then uses are exactly those it writes down.
     */
    public static Scenario.Clock clock(Scenario s, Path checkpoint) {
        if (!s.clock().measured()) {
            return s.clock();
        }
        int gradientBatch = s.run().algorithms().contains(Algorithm.FEDSPEED) || !s.run().algorithms().contains(Algorithm.FEDAVG)
                ? s.fedspeed().batchSize() : s.fedavg().batchSize();
        return Scenario.Clock.fromMeasurement(WorkCalibration.measure(
                onebyte.node.engine.Workloads.get(workload(s, checkpoint), s.run().seed()), s.spsa().batchSize(), gradientBatch,
                onebyte.core.perturbation.Distribution.valueOf(s.spsa().distribution().toUpperCase(java.util.Locale.ROOT)),
                s.spsa().chunkSize()));
    }

    /** The unit costs of {@link #clock}, in seconds. */
    public static VirtualClock.WorkCosts workCosts(Scenario s, Path checkpoint) {
        return clock(s, checkpoint).costs();
    }

    /** The links of every node class of the scenario; the initial nodes are of {@code nodes.class}. */
    public static NodeLinks links(Scenario s) {
        Map<String, NodeLinks.Links> byName = new LinkedHashMap<>();
        s.nodes().classes().forEach((name, c) -> byName.put(name, new NodeLinks.Links(c.uplinkMbps(), c.downlinkMbps(), c.latencyMs())));
        return new NodeLinks(s.nodes().initialClass(), byName);
    }

    /** Settings of an SPSA run ({@code spsa}, or {@code spsa-f32}: the same with 4-byte floats on the wire). */
    public static SpsaRunSettings spsa(Scenario s, Algorithm algorithm, ChurnSchedule schedule, Path checkpoint,
                                       VirtualClock.WorkCosts costs) {
        if (!algorithm.isSpsa()) {
            throw new IllegalArgumentException("not an SPSA algorithm: " + algorithm);
        }
        return spsaBuilder(s, algorithm).nodes(schedule.initialNodes()).workload(workload(s, checkpoint)).links(links(s))
                .workCosts(costs).build();
    }

    /**
     * The SPSA settings of the defaults ({@link #DEFAULTS}) as a builder, for runs built without a
     * scenario file: pretraining and data of the default scenario, no checkpoint, the nodes'
     * measured compute on the virtual clock (no fixed costs).
     */
    public static SpsaRunSettings.Builder spsaDefaults() {
        return spsaBuilder(DEFAULTS, Algorithm.SPSA).runId(Algorithm.SPSA.id()).nodes(DEFAULTS.nodes().initial()).workload(workload(DEFAULTS, null))
                .links(links(DEFAULTS)).workCosts(null);
    }

    private static SpsaRunSettings.Builder spsaBuilder(Scenario s, Algorithm algorithm) {
        Scenario.Spsa p = s.spsa();
        return new SpsaRunSettings.Builder()
                .runId(s.run().id() + "-" + algorithm)
                .runSeed(s.run().seed())
                .rounds(s.budget().rounds())
                .samplesPerNode(p.samples())
                .eps((float) p.eps())
                .lr(p.lr())
                .lrDecay(p.lrDecay())
                .codec(algorithm.codec(p.codec()))
                .distribution(p.distribution())
                .chunkSize(p.chunkSize())
                .batchSize(p.batchSize())
                .evalEvery(s.eval().every())
                .roundDeadline(p.roundDeadline())
                .engine("core")
                .threads(1)
                .joinSync(p.joinSync().name().toLowerCase(java.util.Locale.ROOT))
                .churn(List.of()) // the scenario's churn runs through onebyte.coordinator.cluster.ChurnDriver
                .weightDecay(p.weightDecay())
                .sharedRegeneration(p.sharedRegeneration())
                .maxVirtualSeconds(s.budget().virtualSeconds())
                .maxBytes(s.budget().bytes());
    }

    /**
     * Settings of a federated run ({@code fedspeed} or {@code fedavg}, SPEC §4) on the same
     * workload (checkpoint, data, partition), node classes and budget as the SPSA runs of the scenario.
     */
    public static FedRunSettings fed(Scenario s, Algorithm algorithm, ChurnSchedule schedule, Path checkpoint,
                                     VirtualClock.WorkCosts costs) {
        FedSpeedParams client = fedClient(s, algorithm);
        double participation;
        java.time.Duration deadline;
        if (client.isFedAvg()) {
            participation = s.fedavg().participation();
            deadline = s.fedavg().roundDeadline();
        } else {
            participation = s.fedspeed().participation();
            deadline = s.fedspeed().roundDeadline();
        }
        return new FedRunSettings(s.run().id() + "-" + algorithm, algorithm, s.run().seed(), schedule.initialNodes(),
                s.budget().rounds(), client, participation, deadline, s.eval().federatedEvery(), workload(s, checkpoint), links(s), costs,
                s.budget().virtualSeconds(), s.budget().bytes(),
                algorithm.equals("fedspeed") ? s.fedspeed().server() : FedSpeedServer.Form.PAPER);
    }

    /** The client parameters of {@code fedspeed} or {@code fedavg} in this scenario. */
    public static FedSpeedParams fedClient(Scenario s, Algorithm algorithm) {
        return switch (algorithm) {
            case FEDSPEED -> {
                Scenario.FedSpeed f = s.fedspeed();
                yield new FedSpeedParams(f.localSteps(), f.lr(), f.lrDecay(), f.prox(), f.rho(), f.alpha(), f.batchSize(), true);
            }
            case FEDAVG -> {
                Scenario.FedAvg f = s.fedavg();
                yield new FedSpeedParams(f.localSteps(), f.lr(), f.lrDecay(), 0, 0, 0, f.batchSize(), false);
            }
            case SPSA, SPSA_F32 -> throw new IllegalArgumentException("not a federated algorithm: " + algorithm);
        };
    }
}
