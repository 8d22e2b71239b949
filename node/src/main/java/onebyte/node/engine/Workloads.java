package onebyte.node.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import onebyte.proto.WorkloadSpec;

/**
 * Builds the workload a {@link WorkloadSpec} describes: a {@link Workload.Factory} named in
 * {@code factory} (tests and plug-ins), else the built-in factory of the data kind. Workloads
 * are cached per (spec, seed) so the ActorSystems of one JVM share data and θ_0 (they never
 * mutate them).
 */
public final class Workloads {
    private static final Map<String, Workload> CACHE = new ConcurrentHashMap<>();

    private Workloads() {}

    public static Workload get(WorkloadSpec spec, long runSeed) {
        return CACHE.computeIfAbsent(runSeed + "|" + spec, k -> create(spec, runSeed));
    }

    /**
     * The run's workload as a node builds it from its admission: {@link #get}, which must have
     * the run's d (a node never trains a model of another size).
     */
    public static Workload forRun(WorkloadSpec spec, long runSeed, int numParams) {
        Workload w = get(spec, runSeed);
        if (w.numParams() != numParams) {
            throw new IllegalStateException("workload has d=" + w.numParams() + " but the run has d=" + numParams);
        }
        return w;
    }

    /** The target pool the spec's shards are cut from, without θ_0 ({@link Workload.Factory#targetPool}; null if unknown). */
    public static onebyte.core.data.Dataset targetPool(WorkloadSpec spec, long runSeed) {
        return factory(spec).targetPool(spec, runSeed);
    }

    private static Workload create(WorkloadSpec spec, long runSeed) {
        return factory(spec).create(spec, runSeed);
    }

    private static Workload.Factory factory(WorkloadSpec spec) {
        if (!spec.getFactory().isEmpty()) {
            return Plugins.instantiate(spec.getFactory(), Workload.Factory.class);
        }
        return switch (spec.getData().getKindCase()) {
            case SYNTHETIC -> new SyntheticWorkloadFactory();
            case SYNTHETIC_TEXT -> new SyntheticTextWorkloadFactory();
            case FILE -> new FileWorkloadFactory();
            case KIND_NOT_SET -> throw new IllegalArgumentException("the workload names no data kind: " + spec);
        };
    }
}
