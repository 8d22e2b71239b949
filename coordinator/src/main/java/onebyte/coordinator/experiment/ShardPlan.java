package onebyte.coordinator.experiment;

import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioException;
import onebyte.core.data.Dataset;
import onebyte.core.data.Partitioner;
import onebyte.node.engine.Workloads;
import onebyte.proto.WorkloadSpec;

/**
 * How a scenario's target pool is cut into node shards: its partition scheme into
 * {@code data.shards} shards, by default one per schedule id (the initial nodes and every join,
 * {@link ChurnSchedule#scheduleIds}), so the nodes of a run together train on the whole pool and
 * no joiner reads data another node has. The loader refuses fewer shards than schedule ids unless
 * {@code data.reuse-shards} says so.
 */
public final class ShardPlan {
    private ShardPlan() {}

    /** The partitioner of the run: the scheme of {@code data.partition} into {@link #shards} shards. */
    public static Partitioner partitioner(Scenario s, ChurnSchedule schedule) {
        return Partitioner.parse(s.data().partition() + ",shards=" + shards(s, schedule));
    }

    /** {@code data.shards}, or when 0 the number of schedule ids. */
    public static int shards(Scenario s, ChurnSchedule schedule) {
        return s.data().shards() > 0 ? s.data().shards() : schedule.scheduleIds();
    }

    /**
     * Checks before anything starts that the pool can be cut into the run's shards, every one of
     * them non-empty (each node draws its minibatches from its own); one line on failure.
     */
    public static void validate(Scenario s, ChurnSchedule schedule) {
        WorkloadSpec w = ScenarioSettings.workload(s, null);
        Dataset pool = Workloads.targetPool(w, s.run().seed());
        if (pool == null) {
            return; // a plug-in workload: its factory cuts its own shards
        }
        Partitioner p = partitioner(s, schedule);
        String key = s.data().fromFiles() ? "data.path" : "data.train-size";
        if (pool.size() < p.virtualShards()) {
            throw new ScenarioException(s.file().toString(), key, "a target pool of " + pool.size() + " examples cannot be cut into "
                    + p.virtualShards() + " shards (" + describe(s, schedule) + "); give more data or fewer nodes");
        }
        try {
            p.virtualShards(pool, s.run().seed());
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(s.file().toString(), "data.partition", "a target pool of " + pool.size()
                    + " examples cannot be cut into " + p.virtualShards() + " shards by " + s.data().partition() + ": " + e.getMessage());
        }
    }

    /** Where the number of shards comes from, for messages and {@code onebyte validate}. */
    public static String describe(Scenario s, ChurnSchedule schedule) {
        if (s.data().shards() > 0) {
            return "data.shards = " + s.data().shards();
        }
        int joins = schedule.scheduleIds() - schedule.initialNodes();
        return "one per node: " + schedule.initialNodes() + " initial" + (joins == 0 ? "" : " + " + joins + (joins == 1 ? " join" : " joins"));
    }
}
