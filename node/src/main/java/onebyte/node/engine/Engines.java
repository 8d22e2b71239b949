package onebyte.node.engine;

import onebyte.proto.RunConfig;

/**
 * Resolves engine names: {@code "core"} (or empty) is the onebyte.core SPSA engine
 * ({@code CoreReplicaEngine}); {@code "class:<FactoryClassName>"} a plug-in.
 */
public final class Engines {
    private Engines() {}

    public static ReplicaEngine create(RunConfig c) {
        ReplicaEngine.EngineSpec spec = new ReplicaEngine.EngineSpec(c.getRunSeed(), c.getSamples(), c.getEps(), c.getCodec(),
                c.getDistribution(), c.getChunkSize(), Math.max(1, c.getThreads()), c.getWeightDecay());
        String name = c.getEngine();
        String cls = name.startsWith("class:") ? name.substring("class:".length()) : "onebyte.node.engine.CoreReplicaEngine$Factory";
        if (!name.isEmpty() && !name.equals("core") && !name.startsWith("class:")) {
            throw new IllegalArgumentException("unknown engine '" + name + "' (core | class:<factory>)");
        }
        return Plugins.instantiate(cls, ReplicaEngine.Factory.class).create(spec);
    }
}
