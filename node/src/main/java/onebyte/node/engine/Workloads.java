package onebyte.node.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves workload spec strings. {@code "class:<FactoryClassName>[;key=value...]"} instantiates a
 * {@link Workload.Factory} by name (tests and plug-ins); anything else goes to the built-in
 * factory registered by {@link #registerDefault}. Workloads are cached per (spec, seed) so the
 * ActorSystems of one JVM share data and θ_0 (they never mutate them).
 */
public final class Workloads {
    private static final Map<String, Workload> CACHE = new ConcurrentHashMap<>();
    private static volatile Workload.Factory defaultFactory;

    private Workloads() {}

    public static void registerDefault(Workload.Factory factory) {
        defaultFactory = factory;
    }

    public static Workload get(String spec, long runSeed) {
        return CACHE.computeIfAbsent(runSeed + "|" + spec, k -> create(spec, runSeed));
    }

    /**
     * The run's workload as a node builds it from its admission: {@link #get}, which must have
     * the run's d (a node never trains a model of another size).
     */
    public static Workload forRun(String spec, long runSeed, int numParams) {
        Workload w = get(spec, runSeed);
        if (w.numParams() != numParams) {
            throw new IllegalStateException("workload has d=" + w.numParams() + " but the run has d=" + numParams);
        }
        return w;
    }

    private static Workload create(String spec, long runSeed) {
        if (spec.startsWith("class:")) {
            String name = spec.substring("class:".length()).split(";", 2)[0];
            return Plugins.instantiate(name, Workload.Factory.class).create(spec, runSeed);
        }
        Workload.Factory f = defaultFactory;
        if (f == null) {
            f = Plugins.instantiate("onebyte.node.engine.SyntheticWorkloadFactory", Workload.Factory.class);
        }
        return f.create(spec, runSeed);
    }

    /** key=value pairs of a spec string "name;k=v;k=v" (the part before the first ';' is skipped). */
    public static Map<String, String> params(String spec) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        String[] parts = spec.split(";");
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("workload parameter '" + p + "' is not key=value in '" + spec + "'");
            }
            out.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return out;
    }
}
