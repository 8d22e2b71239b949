package onebyte.node.engine;

import onebyte.core.data.Partitioner;
import onebyte.core.model.ModelSpec;
import onebyte.proto.WorkloadSpec;

/** Between the typed workload message and core's own types: the model spec and the partitioner. */
public final class WorkloadSpecs {
    private WorkloadSpecs() {}

    /** The model the workload names (checked by {@link ModelSpec}'s constructor). */
    public static ModelSpec model(WorkloadSpec.Model m) {
        return new ModelSpec(m.getKind(), m.getInputs(), m.getClasses(), m.getHiddenList(), m.getActivation(), m.getVocab(),
                m.getLayers(), m.getHeads(), m.getWidth(), m.getContext());
    }

    /** The message of a model spec. */
    public static WorkloadSpec.Model model(ModelSpec s) {
        return WorkloadSpec.Model.newBuilder().setKind(s.kind()).setInputs(s.inputs()).setClasses(s.classes())
                .addAllHidden(s.hidden()).setActivation(s.activation()).setVocab(s.vocab()).setLayers(s.layers())
                .setHeads(s.heads()).setWidth(s.width()).setContext(s.context()).build();
    }

    /** How the workload cuts its pool into shards. */
    public static Partitioner partitioner(WorkloadSpec.Partition p) {
        double param = p.getScheme().equals("pathological") ? p.getClassesPerShard() : p.getAlpha();
        return Partitioner.of(p.getScheme(), param, p.getShards());
    }

    /** The message of a partitioner. */
    public static WorkloadSpec.Partition partition(Partitioner p) {
        WorkloadSpec.Partition.Builder b = WorkloadSpec.Partition.newBuilder().setScheme(p.scheme()).setShards(p.virtualShards());
        if (p.scheme().equals("pathological")) {
            b.setClassesPerShard((int) p.param());
        } else {
            b.setAlpha(p.param());
        }
        return b.build();
    }
}
