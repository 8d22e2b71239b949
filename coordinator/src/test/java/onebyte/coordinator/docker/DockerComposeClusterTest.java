package onebyte.coordinator.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import onebyte.coordinator.docker.ComposeProject.Container;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/compose.yml on a real Docker engine: the image is built ({@code docker/build-image.sh}:
 * a Debian base from {@code docker/local-base.sh}, the classes of this build as a thin jar), a
 * coordinator and 4 node replicas run the quickstart scenario with the metrics on a mounted host
 * directory, every healthcheck turns healthy, and Docker itself churns the run mid-way: a join
 * ({@code --scale node=5}), a graceful leave ({@code docker stop} of one replica: SIGTERM, as
 * {@code docker compose stop} sends it) and a crash ({@code docker kill}). The metrics rows show
 * each in the round it happened, every round's replicas agree, and the project's containers,
 * network and volumes are removed at the end, also when a step fails. Without a running engine it
 * starts one ({@code docker/start-engine.sh}) and stops it afterwards; skipped, with the reason,
 * only where none can be started.
 *
 * <p>The coordinator paces rounds ({@code --round-pace}) so that the run lasts long enough in wall
 * time for the Docker commands; the rows do not depend on the pace.
 */
class DockerComposeClusterTest {
    private static final Path ROOT = DockerTestSupport.repoRoot();
    private static final String IMAGE = "onebyte-test:compose";
    private static final int ROUNDS = 250;
    /** The coordinator's --round-pace. */
    private static final int PACE_MS = 250;
    /** The quickstart scenario's spsa.round-deadline. */
    private static final double DEADLINE_S = 3.0;

    @TempDir
    Path tmp;

    @Test
    void fourReplicasRunQuickstartThroughScaleStopAndKill() throws Exception {
        try (DockerEngine engine = DockerEngine.startOrSkip(ROOT)) {
            buildAndRun();
        }
    }

    private void buildAndRun() throws Exception {
        long t0 = System.nanoTime();
        DockerTestSupport.Result build = DockerTestSupport.run(ROOT, Map.of(), 900,
                List.of("bash", "docker/build-image.sh", "--tag", IMAGE, "--classpath", mainClasspath()));
        assertTrue(build.ok(), "docker/build-image.sh failed:\n" + build.output());
        double buildS = seconds(t0);
        System.out.printf(Locale.ROOT, "docker compose cluster test: image built in %.0f s (load %s)%n", buildS, load());

        Path runs = Files.createDirectories(tmp.resolve("runs"));
        Files.setPosixFilePermissions(runs, PosixFilePermissions.fromString("rwxrwxrwx")); // the image's uid 10001 writes here
        String project = "onebyte-dct-" + ProcessHandle.current().pid() + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        Map<String, String> env = Map.of(
                "ONEBYTE_IMAGE", IMAGE,
                "ONEBYTE_NODES", "4",
                "ONEBYTE_SCENARIO", "/opt/onebyte/scenarios/quickstart.conf",
                "ONEBYTE_ARGS", "--round-pace " + PACE_MS + "ms --set budget.rounds=" + ROUNDS,
                "ONEBYTE_RUNS", runs.toString(),
                // thrifty JVMs (C1 only: the quickstart's model is small), and a failure detector that tolerates the
                // pauses of 5 JVMs on a loaded 2-core host (a crash still costs one round deadline: the round closes without it)
                "ONEBYTE_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ActiveProcessorCount=1"
                        + " -Dakka.cluster.failure-detector.acceptable-heartbeat-pause=10s");
        ComposeProject p = new ComposeProject(ROOT, project, env);
        Throwable failure = null;
        try {
            run(p, runs, t0, buildS);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            String diagnosis = failure == null ? "" : diagnosis(p);
            p.down();
            String left = p.leftovers();
            if (failure != null) {
                failure.addSuppressed(new AssertionError("containers' last log lines:\n" + diagnosis));
            } else {
                assertEquals("", left, "compose down left containers, networks or volumes of " + project);
            }
        }
        System.out.printf(Locale.ROOT, "docker compose cluster test: %.0f s in all (image %.0f s)%n", seconds(t0), buildS);
    }

    private void run(ComposeProject p, Path runs, long t0, double buildS) throws Exception {
        p.compose(300, "up", "-d", "--no-build", "--scale", "node=4");
        Container coordinator = p.container("coordinator", 1);
        awaitHealthy(p, 5, 240);
        double healthyS = seconds(t0);
        System.out.printf(Locale.ROOT, "docker compose cluster test: coordinator and 4 nodes healthy at %.0f s (load %s)%n", healthyS, load());
        MetricsProgress metrics = new MetricsProgress(runs, p, coordinator);
        metrics.await(r -> r.round() >= 5, 120, "round 5");

        // a join: a fifth replica, synced while the run goes on
        long joinAt = metrics.lastRound();
        p.compose(300, "up", "-d", "--no-build", "--no-recreate", "--scale", "node=5");
        MetricsRow join = metrics.await(r -> r.round() > joinAt && r.joined() > 0, 180, "the fifth replica's join");
        metrics.await(r -> r.round() >= join.round() + 5, 60, "5 rounds after the join");

        // a graceful leave: SIGTERM to one replica (what `docker compose stop` does to each container it stops)
        Container leaver = p.container("node", 1);
        long leaveAt = metrics.lastRound();
        long stopStart = System.nanoTime();
        p.docker(120, "stop", "--time", "30", leaver.id());
        double stopS = seconds(stopStart);
        MetricsRow leave = metrics.await(r -> r.round() > leaveAt && r.left() > 0, 60, "node 1's leave");
        metrics.await(r -> r.round() >= leave.round() + 5, 60, "5 rounds after the leave");

        // a crash: SIGKILL, no leave
        Container victim = p.container("node", 2);
        long killAt = metrics.lastRound();
        p.docker(60, "kill", victim.id());
        long killedAt = metrics.lastRound(); // the paced rounds go on while the docker command runs
        MetricsRow crash = metrics.await(r -> r.round() > killAt && r.crashed() > 0, 60, "node 2's crash");
        double churnDoneS = seconds(t0);

        String exit = p.docker(60 + 4L * ROUNDS * PACE_MS / 1000, "wait", coordinator.id()).strip();
        List<MetricsRow> rows = metrics.rows();
        System.out.printf(Locale.ROOT, "docker compose cluster test: image %.0f s, healthy at %.0f s, churn done at %.0f s, run over at"
                        + " %.0f s (load %s); join at round %d (asked after %d), leave at %d (asked after %d, docker stop %.1f s), crash at %d"
                        + " (killed after %d..%d)%n", buildS, healthyS, churnDoneS, seconds(t0), load(), join.round(), joinAt, leave.round(),
                leaveAt, stopS, crash.round(), killAt, killedAt);
        assertEquals("0", exit, "the coordinator exits 0 when every round's replicas agreed:\n" + p.logTail(coordinator, 40));

        assertEquals(ROUNDS, rows.size());
        // --round-pace: round r opened no sooner than r × the pace after round 0 (wall_time_s counts from there)
        assertTrue(rows.get(ROUNDS - 1).wallTimeS() >= (ROUNDS - 1) * PACE_MS / 1000.0, "paced: " + rows.get(ROUNDS - 1));
        rows.forEach(r -> assertEquals(Boolean.TRUE, r.replicasAgree(), "replicas_agree in round " + r.round()));
        assertEquals(1, rows.stream().mapToInt(MetricsRow::joined).sum(), "one join");
        assertEquals(1, rows.stream().mapToInt(MetricsRow::left).sum(), "one leave (the SIGTERM is not a crash)");
        assertEquals(1, rows.stream().mapToInt(MetricsRow::crashed).sum(), "one crash");
        assertTrue(join.round() < leave.round() && leave.round() < crash.round(), "join, leave, crash in this order");
        // the round open when the victim died, or the next one (when it had contributed to that one already)
        assertTrue(crash.round() <= killedAt + 2, "the crash is counted in a round open at the kill: " + crash.round()
                + " vs rounds " + killAt + ".." + killedAt + " closed by then");
        for (MetricsRow r : rows) {
            int members = r.round() < join.round() ? 4 : r.round() < leave.round() ? 5 : r.round() <= crash.round() ? 4 : 3;
            if (r.round() == leave.round()) {
                // acked after the round it was in (5 members) or before the next round's member set (4)
                assertTrue(r.members() == 5 || r.members() == 4, "round " + r.round() + ": " + r);
            } else if (r.round() == crash.round()) {
                // the victim was in the member set (it missed the deadline), or already unreachable (3)
                assertTrue(r.members() == 4 || r.members() == 3, "round " + r.round() + ": " + r);
                assertEquals(3, r.contributed(), "round " + r.round());
            } else {
                assertEquals(members, r.members(), "members in round " + r.round());
            }
            if (r.round() != crash.round()) {
                assertEquals(r.members(), r.contributed(), "every member contributed in round " + r.round());
            }
        }
        double crashRoundS = crash.wallTimeS() - rows.get((int) crash.round() - 1).wallTimeS();
        assertTrue(crashRoundS <= DEADLINE_S + 2.0, "the crashed round closed within one deadline: " + crashRoundS + " s");

        // exit codes: the leaver exited on its own within the grace period (143 = after SIGTERM, not 137 = SIGKILL);
        // the survivors' replicas equal the coordinator's final one (0)
        Map<String, String> codes = p.inspect(p.containers(), "{{.State.ExitCode}}");
        assertNotEquals("137", codes.get(leaver.id()), "docker stop had to SIGKILL the leaving node:\n" + p.logTail(leaver, 40));
        assertEquals("137", codes.get(victim.id()));
        String leaverLog = p.logTail(leaver, 400);
        assertTrue(leaverLog.contains("SIGTERM: leaving the run") && leaverLog.contains(" left at round "), leaverLog);
        for (int n = 3; n <= 5; n++) {
            Container c = p.container("node", n);
            p.docker(120, "wait", c.id());
            assertEquals("0", p.inspect(List.of(c), "{{.State.ExitCode}}").get(c.id()), "node " + n + ":\n" + p.logTail(c, 40));
        }
    }

    /** Waits until {@code count} containers of the project report healthy. */
    private static void awaitHealthy(ComposeProject p, int count, long timeoutS) throws Exception {
        long end = System.nanoTime() + timeoutS * 1_000_000_000L;
        Map<String, String> health = Map.of();
        while (System.nanoTime() < end) {
            List<Container> cs = p.containers();
            health = p.inspect(cs, "{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}");
            if (cs.size() == count && health.values().stream().allMatch(h -> h.equals("running/healthy"))) {
                return;
            }
            if (health.values().stream().anyMatch(h -> !h.startsWith("running/") && !h.startsWith("created/"))) {
                break; // one exited: it will not turn healthy
            }
            Thread.sleep(2000);
        }
        throw new AssertionError("not " + count + " healthy containers (within " + timeoutS + " s): " + health);
    }

    /** The test's class path without test classes: what the image runs (a thin jar over it). */
    private static String mainClasspath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(cp.split(java.io.File.pathSeparator)).filter(e -> !e.endsWith("test-classes"))
                .collect(Collectors.joining(":"));
    }

    private static String diagnosis(ComposeProject p) {
        try {
            StringBuilder b = new StringBuilder();
            for (Container c : p.containers()) {
                b.append("--- ").append(c.name()).append('\n').append(p.logTail(c, 25));
            }
            return b.toString();
        } catch (IOException | InterruptedException | AssertionError e) {
            return "(cannot list the containers: " + e + ")";
        }
    }

    /** The 1-minute load average, for the timings printed. */
    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
