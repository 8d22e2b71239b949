package onebyte.core.data;

import java.util.SplittableRandom;

/**
 * Seeded minibatches. For SPSA the seed is {@code SeedMixer.derive(contributionSeed,
 * SeedMixer.SALT_MINIBATCH)}, so every replica could redraw any node's batch.
 */
public final class MinibatchSampler {
    private MinibatchSampler() {}

    /**
     * {@code min(batchSize, shard.size())} distinct example indices drawn without replacement with
     * {@code new SplittableRandom(seed)}, in draw order: by rejection of repeats when the batch is
     * under a quarter of the shard, else by a partial Fisher–Yates shuffle.
     */
    public static int[] indices(int shardSize, int batchSize, long seed) {
        if (shardSize <= 0) throw new IllegalArgumentException("cannot draw a minibatch from an empty shard");
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive: " + batchSize);
        SplittableRandom rng = new SplittableRandom(seed);
        int b = Math.min(batchSize, shardSize);
        if (b * 4L < shardSize) {
            // Sparse case: reject repeats, no O(n) array.
            int[] out = new int[b];
            java.util.HashSet<Integer> seen = new java.util.HashSet<>(b * 2);
            for (int j = 0; j < b; ) {
                int i = rng.nextInt(shardSize);
                if (seen.add(i)) out[j++] = i;
            }
            return out;
        }
        int[] all = new int[shardSize];
        for (int i = 0; i < shardSize; i++) all[i] = i;
        for (int j = 0; j < b; j++) {
            int k = j + rng.nextInt(shardSize - j);
            int t = all[j];
            all[j] = all[k];
            all[k] = t;
        }
        return java.util.Arrays.copyOf(all, b);
    }

    /** The minibatch of {@link #indices} from {@code shard}. */
    public static Batch draw(Dataset shard, int batchSize, long seed) {
        return shard.batch(indices(shard.size(), batchSize, seed));
    }
}
