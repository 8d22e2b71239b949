package onebyte.coordinator.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container's entrypoint and healthcheck scripts, run here with bash. {@code java} and
 * {@code hostname} are replaced on PATH by recording scripts, so the test sees exactly the
 * command line and environment the JVM would get inside the container.
 */
class ComposeEntrypointTest {
    private static final Path DOCKER = DockerTestSupport.repoRoot().resolve("docker");

    @TempDir
    Path bin;

    @BeforeEach
    void fakeTools() throws IOException {
        script("java", "#!/bin/sh\n"
                + "echo \"HOST=$ONEBYTE_HOST BIND=$ONEBYTE_BIND_HOST PORT=$ONEBYTE_PORT SEEDS=$ONEBYTE_SEED_NODES\"\n"
                + "for a in \"$@\"; do echo \"ARG=$a\"; done\n");
        // inside a container `hostname -i` prints the container's addresses
        script("hostname", "#!/bin/sh\n[ \"$1\" = -i ] && echo '172.18.0.7 fd00::7' || echo abc123\n");
    }

    private void script(String name, String text) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private DockerTestSupport.Result entrypoint(Map<String, String> env, String... args) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.put("PATH", bin + ":" + System.getenv("PATH"));
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", DOCKER.resolve("entrypoint.sh").toString()));
        cmd.addAll(List.of(args));
        return DockerTestSupport.run(bin, e, 30, cmd);
    }

    private static List<String> args(DockerTestSupport.Result r) {
        return r.output().lines().filter(l -> l.startsWith("ARG=")).map(l -> l.substring(4)).toList();
    }

    @Test
    void refusesAMissingOrUnknownRole() throws Exception {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("ONEBYTE_ROLE", "worker"))) {
            DockerTestSupport.Result r = entrypoint(env);
            assertEquals(64, r.exitCode(), r.output());
            assertTrue(r.output().contains("ONEBYTE_ROLE must be 'coordinator' or 'node'"), r.output());
        }
    }

    @Test
    void nodeNeedsSeedNodes() throws Exception {
        DockerTestSupport.Result r = entrypoint(Map.of("ONEBYTE_ROLE", "node"));
        assertEquals(64, r.exitCode(), r.output());
        assertTrue(r.output().contains("ONEBYTE_SEED_NODES"), r.output());
    }

    @Test
    void nodeAdvertisesItsContainerAddressAndBindsAllInterfaces() throws Exception {
        DockerTestSupport.Result r = entrypoint(Map.of("ONEBYTE_ROLE", "node",
                "ONEBYTE_SEED_NODES", "coordinator:25520", "ONEBYTE_JAVA_OPTS", "-Xmx1g -Dx=y"), "--extra", "1");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("HOST=172.18.0.7 BIND=0.0.0.0 PORT=25520 SEEDS=coordinator:25520"), r.output());
        assertEquals(List.of("-Xmx1g", "-Dx=y", "-jar", "/opt/onebyte/onebyte.jar", "node", "--extra", "1"), args(r));
    }

    @Test
    void coordinatorGetsNodeCountARunDirectoryUnderTheVolumeAndExtraFlags() throws Exception {
        DockerTestSupport.Result r = entrypoint(Map.of("ONEBYTE_ROLE", "coordinator", "ONEBYTE_HOST", "coordinator",
                "ONEBYTE_NODES", "8", "ONEBYTE_OUTPUT_DIR", "/data/runs", "ONEBYTE_ARGS", "--rounds 50 --samples 4"));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("HOST=coordinator BIND=0.0.0.0 PORT=25520"), r.output());
        List<String> a = args(r);
        assertEquals(List.of("-XX:MaxRAMPercentage=75", "-jar", "/opt/onebyte/onebyte.jar", "coordinator", "--nodes", "8",
                "--out"), a.subList(0, 7));
        assertTrue(a.get(7).matches("/data/runs/\\d{8}-\\d{6}"), "one run directory per start: " + a.get(7));
        assertEquals(List.of("--rounds", "50", "--samples", "4"), a.subList(8, a.size()));
    }

    @Test
    void healthcheckFollowsTheArteryPort() throws Exception {
        List<String> cmd = List.of("bash", DOCKER.resolve("healthcheck.sh").toString());
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            DockerTestSupport.Result up = DockerTestSupport.run(bin, Map.of("ONEBYTE_PORT", "" + port), 30, cmd);
            assertEquals(0, up.exitCode(), up.output());
        }
        DockerTestSupport.Result down = DockerTestSupport.run(bin, Map.of("ONEBYTE_PORT", "" + port), 30, cmd);
        assertEquals(1, down.exitCode(), down.output());
        assertTrue(down.output().contains("not accepting connections"), down.output());
    }

    @Test
    void healthcheckAsksTheReadinessProbeOfARealClusterMember() throws Exception {
        List<String> cmd = List.of("bash", DOCKER.resolve("healthcheck.sh").toString());
        akka.actor.typed.ActorSystem<Void> system = akka.actor.typed.ActorSystem.create(
                akka.actor.typed.javadsl.Behaviors.empty(), onebyte.node.ClusterConfig.SYSTEM_NAME,
                onebyte.node.ClusterConfig.build("127.0.0.1", 0, "", List.of(), false));
        try {
            int probe = onebyte.node.ReadinessEndpoint.start(system, "127.0.0.1", 0).port();
            Map<String, String> env = Map.of("ONEBYTE_HEALTH_PORT", "" + probe);
            DockerTestSupport.Result joining = DockerTestSupport.run(bin, env, 30, cmd);
            assertEquals(1, joining.exitCode(), "not yet a member: " + joining.output());
            assertTrue(joining.output().contains("member not Up"), joining.output());
            akka.cluster.typed.Cluster cluster = akka.cluster.typed.Cluster.get(system);
            cluster.manager().tell(akka.cluster.typed.Join.create(cluster.selfMember().address()));
            int code = 1;
            for (int i = 0; i < 40 && code != 0; i++) {
                Thread.sleep(250);
                code = DockerTestSupport.run(bin, env, 30, cmd).exitCode();
            }
            assertEquals(0, code, "an Up member must be healthy");
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
