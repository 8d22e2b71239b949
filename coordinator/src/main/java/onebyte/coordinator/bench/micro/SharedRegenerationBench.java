package onebyte.coordinator.bench.micro;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.spsa.ByteCodec;
import onebyte.core.spsa.Contribution;
import onebyte.core.spsa.ReplicaUpdate;
import onebyte.core.spsa.RoundCommit;
import onebyte.core.spsa.SharedReplicaUpdate;
import onebyte.core.tensor.ParameterVector;

/**
 * The commit application of an embedded round without the cluster around it: R = N + 1 replicas,
 * each on its own thread and with its own θ of d parameters, apply the same commit of n = N
 * Gaussian contributions, started together; once each replica alone ({@link ReplicaUpdate}), once
 * through a {@link SharedReplicaUpdate}, alternating round by round so that load from other jobs
 * hits both alike. Prints the median wall time and the mean process CPU time per round, and checks
 * that every replica ends with the same bits both ways.
 *
 * <pre>
 * mvn -B -q -o -pl coordinator -am package -DskipTests && mvn -B -q -o -pl core test-compile
 * java -cp core/target/test-classes:coordinator/target/onebyte.jar onebyte.core.bench.SharedRegenerationBench 999835 5 4,8,16,32
 * </pre>
 * (the coordinator jar holds core and its dependencies). Arguments: d, measured rounds per mode, N list.
 */
public final class SharedRegenerationBench {
    private SharedRegenerationBench() {}

    public static void main(String[] args) throws Exception {
        int d = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        System.out.printf(Locale.ROOT, "d=%d, %d rounds per mode, load %s%n", d, rounds,
                java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
        System.out.println("| N | replicas | wall s off | wall s on | wall off/on | CPU s off | CPU s on | CPU off/on |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String n : args[2].split(",")) {
            point(d, rounds, Integer.parseInt(n));
        }
    }

    private static void point(int d, int rounds, int nodes) throws Exception {
        ByteCodec codec = ByteCodec.defaultCodec();
        ReplicaUpdate update = new ReplicaUpdate(new PerturbationStream(Distribution.GAUSSIAN), codec, 7L, 1);
        SharedReplicaUpdate shared = new SharedReplicaUpdate(update,
                SharedReplicaUpdate.chunksFor(update.stream(), 64L << 20));
        int r = nodes + 1;
        List<ParameterVector> alone = new ArrayList<>();
        List<ParameterVector> together = new ArrayList<>();
        List<SharedReplicaUpdate.Replica> handles = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            alone.add(new ParameterVector(d));
            together.add(new ParameterVector(d));
            handles.add(shared.join());
        }
        double[][] wall = new double[2][rounds];
        double[] cpu = new double[2];
        SplittableRandom rng = new SplittableRandom(nodes);
        for (int round = 0; round < rounds + 1; round++) { // round 0 warms up
            List<Contribution> cs = new ArrayList<>();
            for (int i = 1; i <= nodes; i++) {
                cs.add(new Contribution(i, 0, codec.encode((rng.nextBoolean() ? 1 : -1) * (0.01 + rng.nextDouble()), rng.nextLong())));
            }
            RoundCommit c = new RoundCommit(round, cs);
            for (int mode = 0; mode < 2; mode++) {
                int m = mode;
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                runTogether(r, i -> {
                    if (m == 0) {
                        update.apply(alone.get(i), c, 1e-4);
                    } else {
                        handles.get(i).apply(together.get(i), c, 1e-4);
                    }
                });
                if (round > 0) {
                    wall[mode][round - 1] = (System.nanoTime() - t0) / 1e9;
                    cpu[mode] += (processCpuNanos() - cpu0) / 1e9 / rounds;
                }
            }
        }
        for (int i = 0; i < r; i++) {
            if (!alone.get(i).bitEquals(together.get(i)) || !alone.get(0).bitEquals(alone.get(i))) {
                throw new IllegalStateException("replica " + i + " differs");
            }
        }
        handles.forEach(SharedReplicaUpdate.Replica::close);
        java.util.Arrays.sort(wall[0]);
        java.util.Arrays.sort(wall[1]);
        double off = wall[0][rounds / 2];
        double on = wall[1][rounds / 2];
        System.out.printf(Locale.ROOT, "| %d | %d | %.3f | %.3f | %.1f | %.3f | %.3f | %.1f |%n", nodes, r, off, on, off / on, cpu[0],
                cpu[1], cpu[0] / cpu[1]);
    }

    private interface ReplicaTask {
        void run(int replica) throws Exception;
    }

    private static void runTogether(int replicas, ReplicaTask task) throws Exception {
        CyclicBarrier start = new CyclicBarrier(replicas);
        List<Thread> ts = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int i = 0; i < replicas; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    task.run(id);
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
