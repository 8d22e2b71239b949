package onebyte.coordinator.bench;

import onebyte.core.algorithm.Algorithm;
import com.google.protobuf.TextFormat;
import onebyte.proto.WorkloadSpec;
import java.util.ArrayList;
import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.model.Model;
import onebyte.core.model.Models;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.engine.CoreReplicaEngine;
import onebyte.node.engine.ReplicaEngine;
import onebyte.node.engine.Workload;
import onebyte.node.engine.Workloads;

/**
 * The process {@link Footprint} starts once per measurement (a fresh JVM, heap pre-touched so heap
 * use does not move the resident set). It builds the workload (data, θ_0), runs the same mode once
 * on a tiny model (classes, JIT, native kernels loaded), then measures the mode on the real model
 * with {@link ProcessMemory#growthOf} (GC, wait until native memory and the JIT are quiet, baseline,
 * peak-RSS counter reset):
 * {@code inference} (a model, a fresh θ, three forward passes of one batch) or {@code spsa} (model,
 * θ and the core engine with whatever it allocates, as on a node: three SPSA samples and one commit
 * of n codes applied)
 * or {@code fedspeed} (a model, x^t and one FedSpeed client round with the scenario defaults, its
 * dual state and the returned x̂ alive).
 * It prints {@code FOOTPRINT <off-heap peak bytes> <heap retained bytes>}: peak RSS above the
 * baseline (native memory: ND4J's arrays) and heap in use after a GC with everything still alive.
 * Arguments: mode spec seed batch n distribution chunkSize codec eps [threads (default 1, the run's default)].
 */
public final class FootprintChild {
    /** A tiny workload (MLP 20-4-4-4, 400 examples, no pretraining) run first, so class loading and JIT are not measured. */
    private static WorkloadSpec warmUp() {
        WorkloadSpec.Builder w = onebyte.coordinator.experiment.ScenarioSettings.workload(
                onebyte.coordinator.experiment.ScenarioSettings.DEFAULTS, null).toBuilder();
        w.getModelBuilder().clearHidden().addHidden(4).addHidden(4);
        w.getPretrainingBuilder().setSteps(0);
        w.getDataBuilder().setTrainSize(400).setEvalSize(100);
        return w.build();
    }

    /** A workload as one command-line argument (protobuf text format on one line). */
    static String argument(WorkloadSpec spec) {
        return TextFormat.printer().emittingSingleLine(true).printToString(spec);
    }

    private FootprintChild() {}

    public static void main(String[] a) throws Exception {
        String mode = a[0];
        long seed = Long.parseLong(a[2]);
        int batchSize = Integer.parseInt(a[3]);
        int n = Integer.parseInt(a[4]);
        int threads = a.length > 9 ? Integer.parseInt(a[9]) : 1;
        ReplicaEngine.EngineSpec es = new ReplicaEngine.EngineSpec(seed, 1, Float.parseFloat(a[8]), a[7], a[5],
                Integer.parseInt(a[6]), threads, 0, false); // one replica: nothing to share
        Models.limitNativeThreads(1);
        WorkloadSpec spec = TextFormat.parse(a[1], WorkloadSpec.class);
        Workload w = Workloads.get(spec, seed);
        Batch batch = w.draw(w.shard(1), batchSize, 7);
        Workload tiny = Workloads.get(warmUp(), seed);
        run(mode, tiny, tiny.draw(tiny.shard(1), batchSize, 7), es, n);
        ProcessMemory.Growth g = ProcessMemory.growthOf(() -> run(mode, w, batch, es, n));
        System.out.println(g.line());
        System.out.println("quiet after " + g.quietAfterMillis() + " ms");
        System.out.flush();
        System.exit(0);
    }

    /** Runs the mode; returns what it keeps alive. */
    private static Object[] run(String mode, Workload w, Batch batch, ReplicaEngine.EngineSpec es, int n) {
        Model m = w.newModel();
        ParameterVector theta = w.initialParameters();
        switch (mode) {
            case "inference" -> {
                for (int i = 0; i < 3; i++) {
                    m.loss(theta, batch);
                }
                return new Object[] {m, theta};
            }
            case "spsa" -> {
                // as NodeActor: the engine gets the model, θ and batches and allocates what it needs itself
                ReplicaEngine engine = new CoreReplicaEngine(es);
                List<byte[]> codes = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    codes.add(engine.sample(m, theta, 1000 + k, batch).code());
                }
                int[] ids = new int[n];
                int[] samples = new int[n];
                byte[] all = new byte[n * engine.codeWidth()];
                for (int j = 0; j < n; j++) {
                    ids[j] = j + 1;
                    byte[] c = codes.get(j % codes.size());
                    System.arraycopy(c, 0, all, j * c.length, c.length);
                }
                engine.apply(theta, new ReplicaEngine.CommitEntries(0, ids, samples, all, engine.codeWidth(), 1e-3));
                return new Object[] {m, theta, engine};
            }
            case "fedspeed" -> {
                // one FedSpeed round with the scenario defaults (K = 10, ascent step, dual state): x^t received, x̂ returned
                onebyte.core.fed.FedSpeedClient client = new onebyte.core.fed.FedSpeedClient();
                ParameterVector xHat = client.localRound(m, theta, w.shard(1), onebyte.coordinator.experiment.ScenarioSettings.fedClient(onebyte.coordinator.experiment.ScenarioSettings.DEFAULTS, Algorithm.FEDSPEED), 5);
                return new Object[] {m, theta, client, xHat};
            }
            default -> throw new IllegalArgumentException("mode must be inference, spsa or fedspeed: " + mode);
        }
    }
}
