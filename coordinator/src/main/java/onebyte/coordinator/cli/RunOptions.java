package onebyte.coordinator.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import com.google.protobuf.TextFormat;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.proto.WorkloadSpec;
import picocli.CommandLine.Option;

/** Flags of one SPSA run (every field of {@link SpsaRunSettings}); defaults are scenario-defaults.conf's ({@link ScenarioSettings#spsaDefaults}). */
public final class RunOptions {
    private static final SpsaRunSettings D = ScenarioSettings.spsaDefaults().build();

    @Option(names = "--run-id", description = "Run name (default: ${DEFAULT-VALUE}).")
    String runId = D.runId();
    @Option(names = "--seed", description = "Run seed (default: ${DEFAULT-VALUE}).")
    long seed = D.runSeed();
    @Option(names = "--nodes", description = "Initial nodes; round 0 waits for them (default: ${DEFAULT-VALUE}).")
    int nodes = D.nodes();
    @Option(names = "--rounds", description = "Rounds (default: ${DEFAULT-VALUE}).")
    long rounds = D.rounds();
    @Option(names = "--samples", description = "SPSA samples per node per round S (default: ${DEFAULT-VALUE}).")
    int samples = D.samplesPerNode();
    @Option(names = "--eps", description = "Perturbation scale (default: ${DEFAULT-VALUE}).")
    float eps = D.eps();
    @Option(names = "--lr", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr = D.lr();
    @Option(names = "--codec", description = "log8 | f32 | sign | paper (default: ${DEFAULT-VALUE}).")
    String codec = D.codec();
    @Option(names = "--distribution", description = "gaussian | rademacher (default: ${DEFAULT-VALUE}).")
    String distribution = D.distribution();
    @Option(names = "--chunk-size", description = "Direction chunk size (default: ${DEFAULT-VALUE}).")
    int chunkSize = D.chunkSize();
    @Option(names = "--batch-size", description = "Minibatch per sample (default: ${DEFAULT-VALUE}).")
    int batchSize = D.batchSize();
    @Option(names = "--eval-every", description = "Evaluate every E rounds (default: ${DEFAULT-VALUE}).")
    int evalEvery = D.evalEvery();
    @Option(names = "--round-deadline", description = "Round deadline, e.g. 5s or 500ms (default: ${DEFAULT-VALUE}).")
    String roundDeadline = D.roundDeadline().toMillis() + "ms";
    @Option(names = "--workload", description = "Workload fields in protobuf text format (proto/src/main/proto/workload.proto) over the"
            + " default scenario's workload, e.g. 'pretraining { steps: 1600 }'; a model's hidden sizes given here replace the default's (default: none).")
    String workload = "";
    @Option(names = "--engine", description = "Replica engine (default: ${DEFAULT-VALUE}).")
    String engine = D.engine();
    @Option(names = "--join-sync", description = "auto | snapshot | replay for joining nodes (default: ${DEFAULT-VALUE}).")
    String joinSync = D.joinSync();
    @Option(names = "--churn", split = ",", description = "Churn events WHEN:ACTION[:NODE], WHEN a round or virtual seconds, e.g. 20:join-snapshot,40:crash:2,12.5s:leave (embedded runs).")
    List<String> churn = new ArrayList<>();
    @Option(names = "--bandwidth-mbps", description = "Node link bandwidth for virtual time (default: ${DEFAULT-VALUE}).")
    double bandwidthMbps = D.links().initial().uplinkMbps();
    @Option(names = "--latency-ms", description = "Node link latency for virtual time (default: ${DEFAULT-VALUE}).")
    double latencyMs = D.links().initial().latencyMs();
    @Option(names = "--threads", description = "Threads per replica for applying a commit and for an SPSA sample (2+: a helper thread builds θ±εz ahead); results do not depend on it (default: ${DEFAULT-VALUE}).")
    int threads = D.threads();
    @Option(names = "--weight-decay", description = "Weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay = D.weightDecay();
    @Option(names = "--max-virtual-seconds", description = "Also stop after the round at whose end the virtual clock reached this many seconds; 0 = no limit (scenario key budget.virtual-seconds; default: ${DEFAULT-VALUE}).")
    double maxVirtualSeconds = 0;
    @Option(names = "--max-bytes", description = "Also stop after the round at whose end bytes_cum reached this; 0 = no limit (scenario key budget.bytes; default: ${DEFAULT-VALUE}).")
    long maxBytes = 0;
    @Option(names = "--out", description = "Write metrics.csv and metrics.jsonl into this directory.")
    Path out;

    SpsaRunSettings settings() {
        List<SpsaRunSettings.Churn> events = churn.stream().map(SpsaRunSettings.Churn::parse).toList();
        WorkloadSpec w = workload(workload);
        if (parse(workload).getPartition().getShards() == 0) { // as in scenarios: one shard per node the run admits (the initial nodes and the joins)
            int joins = (int) events.stream().filter(e -> e.action().name().startsWith("JOIN")).count();
            w = w.toBuilder().setPartition(w.getPartition().toBuilder().setShards(nodes + joins)).build();
        }
        return ScenarioSettings.spsaDefaults().runId(runId).runSeed(seed).nodes(nodes).rounds(rounds).samplesPerNode(samples).eps(eps)
                .lr(lr).codec(codec).distribution(distribution).chunkSize(chunkSize).batchSize(batchSize).evalEvery(evalEvery)
                .roundDeadline(parseDuration(roundDeadline)).workload(w).engine(engine).joinSync(joinSync)
                .churn(events).bandwidthMbps(bandwidthMbps)
                .latencyMs(latencyMs).threads(threads).weightDecay(weightDecay).maxVirtualSeconds(maxVirtualSeconds).maxBytes(maxBytes)
                .build();
    }

    /** {@code text} (protobuf text format) merged over the default workload. */
    static WorkloadSpec workload(String text) {
        WorkloadSpec over = parse(text);
        WorkloadSpec.Builder b = D.workload().toBuilder();
        if (over.getModel().getHiddenCount() > 0) {
            b.getModelBuilder().clearHidden();
        }
        return b.mergeFrom(over).build();
    }

    private static WorkloadSpec parse(String text) {
        try {
            return TextFormat.parse(text, WorkloadSpec.class);
        } catch (TextFormat.ParseException e) {
            throw new IllegalArgumentException("--workload: expected WorkloadSpec fields in protobuf text format: " + e.getMessage());
        }
    }

    /**
     * The duration a command's {@code flag} was given ({@link #parseDuration}); anything else is bad
     * input: "onebyte: FLAG must be a duration such as EXAMPLES, got 'VALUE'", exit 2.
     */
    static Duration durationFlag(String flag, String value, String examples) {
        try {
            return parseDuration(value);
        } catch (RuntimeException e) {
            throw new onebyte.core.input.BadInputException(flag + " must be a duration such as " + examples + ", got '" + value + "'");
        }
    }

    /** "5s", "500ms", "2m" or ISO-8601 "PT5S". */
    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("pt")) return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
        if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
        if (t.endsWith("s")) return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 1000));
        if (t.endsWith("m")) return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()) * 60);
        throw new IllegalArgumentException("duration must look like 5s, 500ms or 2m, got '" + s + "'");
    }
}
