package onebyte.node.engine;

import onebyte.proto.RunConfig;

/**
 * Resolves engine names: {@code "core"} (or empty) is the onebyte.core SPSA engine
 * ({@code CoreReplicaEngine}); {@code "class:<FactoryClassName>"} a plug-in.
 */
public final class Engines {
    private Engines() {}

    /**
     * Whether the replicas this JVM builds for run {@code c} share their chunks (default: yes).
     * Called by the process that starts a run's in-JVM replicas (the coordinator) before any of
     * them is built. A JVM-local choice (results do not depend on it), so it does not travel in
     * Admit and the wire bytes are the same either way.
     */
    public static void shareRegeneration(RunConfig c, boolean on) {
        SharedUpdates.enable(SharedUpdates.key(c), on);
    }

    public static ReplicaEngine create(RunConfig c) {
        ReplicaEngine.EngineSpec spec = new ReplicaEngine.EngineSpec(c.getRunSeed(), c.getSamples(), c.getEps(), c.getCodec(),
                c.getDistribution(), c.getChunkSize(), Math.max(1, c.getThreads()), c.getWeightDecay(),
                SharedUpdates.enabled(SharedUpdates.key(c)));
        String name = c.getEngine();
        String cls = name.startsWith("class:") ? name.substring("class:".length()) : "onebyte.node.engine.CoreReplicaEngine$Factory";
        if (!name.isEmpty() && !name.equals("core") && !name.startsWith("class:")) {
            throw new IllegalArgumentException("unknown engine '" + name + "' (core | class:<factory>)");
        }
        return Plugins.instantiate(cls, ReplicaEngine.Factory.class).create(spec);
    }
}
