package onebyte.node.fed;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import onebyte.core.perturbation.SeedMixer;

/**
 * The seeds of a federated run, all derived from the run seed: participant sampling per round and
 * each client's minibatch stream per round. A client's stream depends on its data shard (its
 * identity), not on its protocol node id, so a node that rejoins under a fresh id draws what it
 * would have drawn before.
 */
public final class FedSeeds {
    private static final long SALT_PARTICIPANTS = 0x5041525449434950L; // "PARTICIP"
    private static final long SALT_LOCAL = 0x4645444C4F43414CL;        // "FEDLOCAL"

    private FedSeeds() {}

    /** Seed of client {@code shard}'s local round {@code round}; FedSpeedClient derives step k's minibatch from it. */
    public static long localSeed(long runSeed, int shard, long round) {
        return SeedMixer.derive(SeedMixer.contributionSeed(runSeed, shard, round, 0), SALT_LOCAL);
    }

    /**
     * P_t: max(1, round(p·|members|)) members drawn without replacement by a generator seeded
     * with (runSeed, round), returned sorted; all members when p = 1.
     */
    public static List<Integer> participants(long runSeed, long round, TreeSet<Integer> members, double p) {
        List<Integer> pool = new ArrayList<>(members);
        int n = pool.size();
        int k = p >= 1.0 ? n : Math.max(1, (int) Math.round(p * n));
        if (k >= n) {
            return pool;
        }
        SplittableRandom rng = new SplittableRandom(SeedMixer.derive(SeedMixer.fold(runSeed, round), SALT_PARTICIPANTS));
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            Integer t = pool.get(i);
            pool.set(i, pool.get(j));
            pool.set(j, t);
        }
        return new ArrayList<>(new TreeSet<>(pool.subList(0, k)));
    }
}
