package onebyte.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import onebyte.core.perturbation.SeedMixer;

/**
 * Splits a pool of examples into node shards: {@code iid}, {@code dirichlet:ALPHA} (label skew),
 * {@code pathological:C} (C label chunks per shard) and {@code quantity:ALPHA} (size skew).
 *
 * <p><b>Churn-proof by construction.</b> The pool is first split into a fixed number V of disjoint
 * <i>virtual shards</i> (suffix {@code ,shards=V}; runs pass one per node they ever admit, default
 * here 32), using only (seed, spec, pool). Node
 * {@code nodeId} gets virtual shard {@code floorMod(nodeId, V)}. So a node's shard depends only on
 * (seed, nodeId, spec, pool), never on how many nodes exist or joined, and the first V node ids
 * (which the coordinator hands out in order and never reuses) get disjoint shards. Node ids V apart
 * share a shard; pick V ≥ the most nodes a run will ever admit to avoid that.
 *
 * <ul>
 *   <li>iid: a seeded permutation cut into V equal slices;
 *   <li>dirichlet:α: for every class, its shuffled examples are cut by proportions p ~ Dir(α·1_V)
 *       (the FL-Simulator / Hsu et al. scheme); redrawn until every shard has ≥ min(10, N/(2V))
 *       examples (at most 1000 tries);
 *   <li>pathological:C: examples sorted by class (shuffled within), cut into V·C equal chunks,
 *       chunks dealt to shards in a seeded random order, C per shard (McMahan et al.);
 *   <li>quantity:α: a seeded permutation cut into V slices with sizes ∝ p ~ Dir(α·1_V), each ≥ 1.
 * </ul>
 *
 * Label-based splits need an {@link InMemoryDataset} with one class label per example.
 */
public final class Partitioner {
    public static final int DEFAULT_VIRTUAL_SHARDS = 32;

    private final String kind;
    private final double param;
    private final int virtualShards;
    private final String text;

    private Partitioner(String kind, double param, int virtualShards, String text) {
        this.kind = kind;
        this.param = param;
        this.virtualShards = virtualShards;
        this.text = text;
    }

    /** Parses {@code iid | dirichlet:ALPHA | pathological:C | quantity:ALPHA}, optionally {@code ,shards=V}. */
    public static Partitioner parse(String spec) {
        String s = spec.trim();
        int v = DEFAULT_VIRTUAL_SHARDS;
        int comma = s.indexOf(',');
        if (comma >= 0) {
            String opt = s.substring(comma + 1).trim();
            if (!opt.startsWith("shards=")) throw new IllegalArgumentException("bad partition spec '" + spec + "': unknown option '" + opt + "'");
            v = parseInt(spec, opt.substring(7));
            if (v < 1) throw new IllegalArgumentException("bad partition spec '" + spec + "': shards must be ≥ 1");
            s = s.substring(0, comma).trim();
        }
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        String arg = colon < 0 ? null : s.substring(colon + 1);
        double param;
        switch (kind) {
            case "iid" -> {
                if (arg != null) throw new IllegalArgumentException("bad partition spec '" + spec + "': iid takes no parameter");
                param = 0;
            }
            case "dirichlet", "quantity" -> {
                if (arg == null) throw new IllegalArgumentException("bad partition spec '" + spec + "': " + kind + " needs :ALPHA");
                try {
                    param = Double.parseDouble(arg);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad partition spec '" + spec + "': ALPHA is not a number");
                }
                if (!(param > 0) || Double.isInfinite(param)) throw new IllegalArgumentException("bad partition spec '" + spec + "': ALPHA must be > 0");
            }
            case "pathological" -> {
                if (arg == null) throw new IllegalArgumentException("bad partition spec '" + spec + "': pathological needs :C");
                param = parseInt(spec, arg);
                if (param < 1) throw new IllegalArgumentException("bad partition spec '" + spec + "': C must be ≥ 1");
            }
            default -> throw new IllegalArgumentException("bad partition spec '" + spec
                    + "': expected iid, dirichlet:ALPHA, pathological:C or quantity:ALPHA");
        }
        return new Partitioner(kind, param, v, spec.trim());
    }

    /**
     * The partitioner of this scheme ({@code iid}, {@code dirichlet}, {@code pathological},
     * {@code quantity}), its parameter (α, or C for pathological; ignored for iid) and V shards.
     */
    public static Partitioner of(String scheme, double param, int shards) {
        String arg = switch (scheme) {
            case "iid" -> "";
            case "pathological" -> ":" + (long) param;
            default -> ":" + param;
        };
        return parse(scheme + arg + ",shards=" + shards);
    }

    /** iid | dirichlet | pathological | quantity. */
    public String scheme() {
        return kind;
    }

    /** α of dirichlet and quantity, C of pathological, 0 for iid. */
    public double param() {
        return param;
    }

    private static int parseInt(String spec, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad partition spec '" + spec + "': '" + v + "' is not an integer");
        }
    }

    public int virtualShards() {
        return virtualShards;
    }

    /** The virtual shard a node reads: {@code floorMod(nodeId, V)}. */
    public int virtualShardOf(int nodeId) {
        return Math.floorMod(nodeId, virtualShards);
    }

    /** Sorted pool indices of node {@code nodeId}'s shard. */
    public int[] indices(Dataset pool, long seed, int nodeId) {
        return virtualShards(pool, seed).get(virtualShardOf(nodeId));
    }

    /** Node {@code nodeId}'s shard as a dataset. */
    public Dataset shard(Dataset pool, long seed, int nodeId) {
        int[] idx = indices(pool, seed, nodeId);
        if (pool instanceof InMemoryDataset m) return m.subset(idx);
        return new Dataset() {
            @Override
            public int size() {
                return idx.length;
            }

            @Override
            public Batch batch(int[] indices) {
                int[] mapped = new int[indices.length];
                for (int j = 0; j < indices.length; j++) mapped[j] = idx[indices[j]];
                return pool.batch(mapped);
            }
        };
    }

    /** All V virtual shards (each sorted), a function of (seed, spec, pool) only. */
    public List<int[]> virtualShards(Dataset pool, long seed) {
        int n = pool.size();
        int v = virtualShards;
        if (n < v) throw new IllegalArgumentException("pool of " + n + " examples cannot fill " + v + " virtual shards");
        SplittableRandom rng = new SplittableRandom(SeedMixer.derive(seed, 0x5041525449L)); // "PARTI"
        List<int[]> shards = switch (kind) {
            case "iid" -> cut(Draws.permutation(rng, n), equalCuts(n, v));
            case "quantity" -> quantity(rng, n, v);
            case "dirichlet" -> dirichlet(rng, labelsOf(pool), v);
            default -> pathological(rng, labelsOf(pool), v, (int) param);
        };
        for (int[] s : shards) Arrays.sort(s);
        return shards;
    }

    private List<int[]> quantity(SplittableRandom rng, int n, int v) {
        int[] perm = Draws.permutation(rng, n);
        double[] p = Draws.dirichlet(rng, param, v);
        int[] sizes = new int[v];
        int rest = n - v; // every shard gets 1, the rest by proportion
        int given = 0;
        for (int i = 0; i < v; i++) {
            sizes[i] = 1 + (int) Math.floor(p[i] * rest);
            given += sizes[i];
        }
        for (int i = 0; given < n; i = (i + 1) % v) { // leftovers from flooring, round-robin
            sizes[i]++;
            given++;
        }
        int[] cuts = new int[v + 1];
        for (int i = 0; i < v; i++) cuts[i + 1] = cuts[i] + sizes[i];
        return cut(perm, cuts);
    }

    private List<int[]> dirichlet(SplittableRandom rng, InMemoryDataset pool, int v) {
        int n = pool.size();
        int[][] byClass = byClass(rng, pool);
        int minSize = Math.max(1, Math.min(10, n / (2 * v)));
        for (int attempt = 0; ; attempt++) {
            List<List<Integer>> shards = new ArrayList<>();
            for (int i = 0; i < v; i++) shards.add(new ArrayList<>());
            for (int[] members : byClass) {
                double[] p = Draws.dirichlet(rng, param, v);
                double cum = 0;
                int start = 0;
                for (int i = 0; i < v; i++) {
                    cum += p[i];
                    int end = i == v - 1 ? members.length : (int) Math.round(cum * members.length);
                    end = Math.max(start, Math.min(end, members.length));
                    for (int j = start; j < end; j++) shards.get(i).add(members[j]);
                    start = end;
                }
            }
            int smallest = shards.stream().mapToInt(List::size).min().orElse(0);
            if (smallest >= minSize || attempt >= 1000) {
                if (smallest == 0) {
                    throw new IllegalArgumentException("dirichlet:" + param + " left a virtual shard empty after 1000 draws; use a larger pool, fewer shards or a larger ALPHA");
                }
                List<int[]> out = new ArrayList<>();
                for (List<Integer> s : shards) out.add(s.stream().mapToInt(Integer::intValue).toArray());
                return out;
            }
        }
    }

    private List<int[]> pathological(SplittableRandom rng, InMemoryDataset pool, int v, int c) {
        int n = pool.size();
        if (n < v * c) throw new IllegalArgumentException("pool of " + n + " examples cannot make " + v * c + " chunks");
        int[][] byClass = byClass(rng, pool);
        int[] sorted = new int[n];
        int k = 0;
        for (int[] members : byClass) for (int m : members) sorted[k++] = m;
        int chunks = v * c;
        int[] chunkCuts = equalCuts(n, chunks);
        int[] order = Draws.permutation(rng, chunks);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < v; i++) {
            int size = 0;
            for (int j = 0; j < c; j++) {
                int ch = order[i * c + j];
                size += chunkCuts[ch + 1] - chunkCuts[ch];
            }
            int[] shard = new int[size];
            int pos = 0;
            for (int j = 0; j < c; j++) {
                int ch = order[i * c + j];
                for (int t = chunkCuts[ch]; t < chunkCuts[ch + 1]; t++) shard[pos++] = sorted[t];
            }
            out.add(shard);
        }
        return out;
    }

    private static int[][] byClass(SplittableRandom rng, InMemoryDataset pool) {
        int classes = pool.numClasses();
        int[] counts = new int[classes];
        for (int i = 0; i < pool.size(); i++) counts[pool.label(i)]++;
        int[][] out = new int[classes][];
        for (int c = 0; c < classes; c++) out[c] = new int[counts[c]];
        int[] fill = new int[classes];
        for (int i = 0; i < pool.size(); i++) {
            int c = pool.label(i);
            out[c][fill[c]++] = i;
        }
        for (int[] members : out) Draws.shuffle(rng, members);
        return out;
    }

    private InMemoryDataset labelsOf(Dataset pool) {
        if (pool instanceof InMemoryDataset m && m.labelWidth() == 1) return m;
        throw new IllegalArgumentException(kind + " partitioning needs a classification dataset with one label per example");
    }

    private static int[] equalCuts(int n, int parts) {
        int[] cuts = new int[parts + 1];
        for (int i = 0; i <= parts; i++) cuts[i] = (int) ((long) n * i / parts);
        return cuts;
    }

    private static List<int[]> cut(int[] perm, int[] cuts) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i + 1 < cuts.length; i++) out.add(Arrays.copyOfRange(perm, cuts[i], cuts[i + 1]));
        return out;
    }

    @Override
    public String toString() {
        return text;
    }
}
