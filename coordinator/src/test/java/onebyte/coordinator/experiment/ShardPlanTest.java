package onebyte.coordinator.experiment;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioException;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.core.data.Dataset;
import onebyte.core.data.Partitioner;
import onebyte.node.engine.WorkloadSpecs;
import onebyte.node.engine.Workloads;
import onebyte.proto.WorkloadSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a run's target pool is cut into node shards: one shard per node the run ever admits (the
 * initial nodes plus every join), so joiners never train on data another node has and the whole
 * pool is used; a scenario that asks for fewer shards than that is rejected unless it allows reuse;
 * a pool too small for its shards fails before anything starts, in one line.
 */
class ShardPlanTest {
    static final Path SCENARIOS = Path.of("..", "scenarios");
    final ScenarioLoader loader = new ScenarioLoader();

    @Test
    void theLargeClustersJoinersGetShardsOfTheirOwn() {
        Scenario s = loader.load(SCENARIOS.resolve("large-cluster.conf"), List.of());
        ChurnSchedule schedule = ChurnSchedule.resolve(s);
        assertEquals(34, schedule.scheduleIds(), "32 initial nodes and 2 joins");
        WorkloadSpec w = ScenarioSettings.workload(s, null);
        Partitioner p = WorkloadSpecs.partitioner(w.getPartition());
        assertEquals(34, p.virtualShards());
        Set<Integer> shards = new HashSet<>();
        for (int id = 1; id <= 34; id++) {
            assertTrue(shards.add(p.virtualShardOf(id)), "node " + id + " has a shard of its own");
        }
    }

    @Test
    void theQuickstartsNodesTogetherTrainOnTheWholePool() {
        Scenario s = loader.load(SCENARIOS.resolve("quickstart.conf"), List.of("pretrain.steps=0"));
        WorkloadSpec w = ScenarioSettings.workload(s, null);
        Dataset pool = Workloads.targetPool(w, s.run().seed());
        Partitioner p = WorkloadSpecs.partitioner(w.getPartition());
        assertEquals(5, p.virtualShards(), "4 initial nodes and 1 join");
        Set<Integer> seen = new HashSet<>();
        for (int id = 1; id <= 5; id++) {
            for (int i : p.indices(pool, s.run().seed(), id)) {
                assertTrue(seen.add(i), "example " + i + " is in one shard only");
            }
        }
        assertEquals(s.data().trainSize(), seen.size(), "every example of the pool is some node's");
    }

    @Test
    void fewerShardsThanNodesIsRejectedWhereTheScenarioSaysSo(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("reuse.conf");
        Files.writeString(f, "include \"" + SCENARIOS.resolve("large-cluster.conf").toAbsolutePath() + "\"\ndata.shards = 32\n");
        ScenarioException e = assertThrows(ScenarioException.class, () -> loader.load(f, List.of()));
        assertEquals(f + ":2", e.where());
        assertEquals("data.shards", e.key());
        assertTrue(e.getMessage().contains("34 nodes") && e.getMessage().contains("node 33"), e.getMessage());
        Scenario allowed = loader.load(f, List.of("data.reuse-shards=true"));
        assertEquals(32, WorkloadSpecs.partitioner(ScenarioSettings.workload(allowed, null).getPartition()).virtualShards());
    }
}
