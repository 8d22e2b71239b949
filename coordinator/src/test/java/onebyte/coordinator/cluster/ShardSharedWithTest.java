package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.core.algorithm.Algorithm;
import onebyte.proto.WorkloadSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which node's shard a node id beyond the workload's V shards reads (ids read floorMod(id, V)). */
class ShardSharedWithTest {
    private static SpsaRunSettings withShards(int v, String factory) {
        SpsaRunSettings d = ScenarioSettings.spsaDefaults().build();
        WorkloadSpec.Builder w = d.workload().toBuilder().setFactory(factory);
        w.getPartitionBuilder().setShards(v);
        return d.toBuilder().workload(w.build()).build();
    }

    @Test
    void idsBeyondTheShardsReadAnEarlierNodesShard() {
        SpsaRunSettings two = withShards(2, "");
        assertEquals(0, two.shardSharedWith(1));
        assertEquals(0, two.shardSharedWith(2));
        assertEquals(1, two.shardSharedWith(3)); // floorMod(3, 2) = 1
        assertEquals(2, two.shardSharedWith(4)); // floorMod(4, 2) = 0, node 2's shard
        assertEquals(1, two.shardSharedWith(5));
        SpsaRunSettings five = withShards(5, "");
        assertEquals(0, five.shardSharedWith(5));
        assertEquals(5, five.shardSharedWith(10));
    }

    @Test
    void aPlugInWorkloadOrNoShardCountIsNotChecked() {
        assertEquals(0, withShards(2, "some.Factory").shardSharedWith(3), "its factory cuts its own shards");
        assertEquals(0, withShards(0, "").shardSharedWith(3));
    }

    @Test
    void embeddedRunsDoNotCheckJoinsAgainstTheShards(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("three.conf");
        Files.writeString(f, "run.algorithms = [spsa]\nnodes.initial = 3\n");
        Scenario sc = new ScenarioLoader().load(f, List.of());
        SpsaRunSettings s = ScenarioSettings.spsa(sc, Algorithm.SPSA, ChurnSchedule.resolve(sc), sc.model().checkpoint(), null);
        assertEquals(SpsaRunSettings.JoinShards.UNCHECKED, s.joinShards(), "the churn driver gives a rejoining node its old shard");
        assertEquals(0, s.shardSharedWith(3), "three shards, one per planned node");
        assertEquals(1, s.shardSharedWith(4));
    }
}
