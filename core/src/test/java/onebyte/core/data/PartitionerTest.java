package onebyte.core.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionerTest {
    private final InMemoryDataset pool = new SyntheticClassification(4, 10, 0.5, 1).targetTrain(4000, 2);

    @Test
    void everySchemeGivesDisjointCoveringShards() {
        for (String spec : List.of("iid", "dirichlet:0.3", "pathological:2", "quantity:0.5", "iid,shards=7")) {
            Partitioner p = Partitioner.parse(spec);
            List<int[]> shards = p.virtualShards(pool, 9);
            BitSet seen = new BitSet();
            int total = 0;
            for (int[] s : shards) {
                assertTrue(s.length > 0, spec);
                for (int i : s) {
                    assertFalse(seen.get(i), spec + ": example " + i + " in two shards");
                    seen.set(i);
                }
                total += s.length;
            }
            assertEquals(pool.size(), total, spec);
        }
    }

    @Test
    void nodeShardDependsOnlyOnSeedNodeAndSpec() {
        Partitioner p = Partitioner.parse("dirichlet:0.5");
        assertArrayEquals(p.indices(pool, 3, 5), p.indices(pool, 3, 5));
        assertArrayEquals(p.indices(pool, 3, 5), Partitioner.parse("dirichlet:0.5").indices(pool, 3, 5));
        assertFalse(Arrays.equals(p.indices(pool, 3, 5), p.indices(pool, 4, 5)));
        assertFalse(Arrays.equals(p.indices(pool, 3, 5), p.indices(pool, 3, 6)));
        assertArrayEquals(p.indices(pool, 3, 5), p.indices(pool, 3, 5 + p.virtualShards()));
    }

    @Test
    void pathologicalShardsHoldAtMostCClasses() {
        Partitioner p = Partitioner.parse("pathological:2");
        double mean = 0;
        for (int node = 0; node < 32; node++) {
            long classes = Arrays.stream(p.indices(pool, 1, node)).map(pool::label).distinct().count();
            assertTrue(classes <= 4, "node " + node + " has " + classes + " classes"); // a chunk may straddle a class boundary
            mean += classes / 32.0;
        }
        assertTrue(mean < 3.0, "mean classes per node " + mean);
    }

    @Test
    void smallDirichletAlphaSkewsLabelsMoreThanIid() {
        assertTrue(meanMaxClassShare(Partitioner.parse("dirichlet:0.1")) > meanMaxClassShare(Partitioner.parse("iid")) + 0.3);
    }

    private double meanMaxClassShare(Partitioner p) {
        double sum = 0;
        for (int node = 0; node < 32; node++) {
            int[] idx = p.indices(pool, 1, node);
            int[] counts = new int[10];
            for (int i : idx) counts[pool.label(i)]++;
            sum += (double) Arrays.stream(counts).max().getAsInt() / idx.length;
        }
        return sum / 32;
    }

    @Test
    void quantitySkewVariesSizes() {
        List<int[]> shards = Partitioner.parse("quantity:0.3").virtualShards(pool, 1);
        int min = shards.stream().mapToInt(s -> s.length).min().getAsInt();
        int max = shards.stream().mapToInt(s -> s.length).max().getAsInt();
        assertTrue(max > 4 * min, "min " + min + " max " + max);
        List<int[]> iid = Partitioner.parse("iid").virtualShards(pool, 1);
        assertTrue(iid.stream().allMatch(s -> s.length == 125));
    }

    @Test
    void badSpecs() {
        for (String bad : List.of("dirichlet", "dirichlet:-1", "pathological:x", "zipf:2", "iid:3", "iid,foo=2")) {
            assertThrows(IllegalArgumentException.class, () -> Partitioner.parse(bad), bad);
        }
    }

    @Test
    void shardDatasetServesTheNodesExamples() {
        Partitioner p = Partitioner.parse("iid");
        Dataset shard = p.shard(pool, 1, 3);
        int[] idx = p.indices(pool, 1, 3);
        assertEquals(idx.length, shard.size());
        assertEquals(pool.batch(new int[] {idx[4]}).inputs(), shard.batch(new int[] {4}).inputs());
    }

    @Test
    void minibatchSamplerIsSeededAndWithoutReplacement() {
        int[] a = MinibatchSampler.indices(1000, 64, 77);
        assertArrayEquals(a, MinibatchSampler.indices(1000, 64, 77));
        assertFalse(Arrays.equals(a, MinibatchSampler.indices(1000, 64, 78)));
        assertEquals(64, Arrays.stream(a).distinct().count());
        int[] dense = MinibatchSampler.indices(100, 90, 5);
        assertEquals(90, Arrays.stream(dense).distinct().count());
        assertEquals(10, MinibatchSampler.indices(10, 50, 5).length);
        assertEquals(64, MinibatchSampler.draw(pool, 64, 1).size());
    }
}
