package onebyte.coordinator.docker;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/compose.yml and docker/Dockerfile, without a Docker engine: the compose file is validated
 * by Debian's {@code docker-compose config} when that binary is installed (the tests that need it
 * skip with a message otherwise), and the Dockerfile is checked statically (stages and their base
 * image arguments, non-root user, the linux-x86_64 platform restriction, COPY sources).
 * {@link DockerComposeClusterTest} builds the image and runs the cluster on a real engine.
 */
class ComposeFileTest {
    private static final Path ROOT = DockerTestSupport.repoRoot();
    private static final Path COMPOSE = ROOT.resolve("docker/compose.yml");
    private static final Path DOCKERFILE = ROOT.resolve("docker/Dockerfile");

    private static Path dockerCompose() {
        Optional<Path> bin = DockerTestSupport.onPath("docker-compose");
        assumeTrue(bin.isPresent(), "docker-compose is not installed, so docker/compose.yml is not validated here "
                + "(install it with: apt-get install -y docker-compose)");
        return bin.get();
    }

    private static DockerTestSupport.Result config(Path composeFile, Map<String, String> env, String... extra)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(dockerCompose().toString(), "-f", composeFile.toString(), "config"));
        cmd.addAll(List.of(extra));
        return DockerTestSupport.run(composeFile.getParent(), env, 60, cmd);
    }

    @Test
    void composeFileIsValidAndDefinesTheTwoServices() throws Exception {
        DockerTestSupport.Result full = config(COMPOSE, Map.of());
        assertTrue(full.ok(), "docker-compose config failed:\n" + full.output());
        DockerTestSupport.Result services = config(COMPOSE, Map.of(), "--services");
        assertTrue(services.ok(), services.output());
        assertEquals(List.of("coordinator", "node"), services.output().lines().sorted().toList());
        DockerTestSupport.Result volumes = config(COMPOSE, Map.of(), "--volumes");
        assertEquals(List.of("onebyte-runs"), volumes.output().lines().toList());
    }

    @Test
    void seedAddressIsTheCoordinatorsCanonicalAddressAndBindIsAllInterfaces() throws Exception {
        DockerTestSupport.Result r = config(COMPOSE, Map.of());
        assertTrue(r.ok(), r.output());
        Map<String, String> coord = section(serviceBlock(r.output(), "coordinator"), "environment");
        Map<String, String> node = section(serviceBlock(r.output(), "node"), "environment");
        assertAll(
                () -> assertEquals("coordinator", coord.get("ONEBYTE_ROLE")),
                () -> assertEquals("node", node.get("ONEBYTE_ROLE")),
                // Artery only accepts messages addressed to its exact canonical host:port, so the
                // nodes' seed address must be literally the coordinator's canonical address.
                () -> assertEquals(coord.get("ONEBYTE_HOST") + ":" + coord.get("ONEBYTE_PORT"),
                        node.get("ONEBYTE_SEED_NODES")),
                () -> assertEquals("coordinator", coord.get("ONEBYTE_HOST"), "canonical host = service name"),
                () -> assertEquals("0.0.0.0", coord.get("ONEBYTE_BIND_HOST")),
                () -> assertEquals("0.0.0.0", node.get("ONEBYTE_BIND_HOST")),
                // a scaled replica must not get a fixed canonical hostname: the entrypoint uses its IP
                () -> assertFalse(node.containsKey("ONEBYTE_HOST"), "node must not fix ONEBYTE_HOST"),
                () -> assertEquals("4", coord.get("ONEBYTE_NODES")),
                () -> assertEquals("/data/runs", coord.get("ONEBYTE_OUTPUT_DIR")));
    }

    @Test
    void nodeServiceCanBeScaledAndBothStopGracefully() throws Exception {
        DockerTestSupport.Result r = config(COMPOSE, Map.of());
        assertTrue(r.ok(), r.output());
        String node = serviceBlock(r.output(), "node");
        String coord = serviceBlock(r.output(), "coordinator");
        assertAll(
                // --scale node=N: no fixed container name, hostname or published host port
                () -> assertFalse(node.contains("container_name:"), node),
                () -> assertFalse(node.contains("hostname:"), node),
                () -> assertFalse(node.contains("ports:"), node),
                () -> assertTrue(node.contains("condition: service_healthy"), "nodes wait for a healthy seed"),
                () -> assertTrue(coord.contains("- onebyte-runs:/data/runs"), "metrics on a mounted volume:\n" + coord));
        for (String block : List.of(node, coord)) {
            Matcher grace = Pattern.compile("stop_grace_period: (\\d+)s").matcher(block);
            assertAll(
                    () -> assertTrue(block.contains("stop_signal: SIGTERM"), block),
                    () -> assertTrue(grace.find() && Integer.parseInt(grace.group(1)) >= 20,
                            "stop_grace_period must leave Akka's coordinated shutdown time to leave the cluster"),
                    () -> assertTrue(block.contains("- /opt/onebyte/healthcheck.sh"), "healthcheck:\n" + block));
        }
    }

    @Test
    void runSettingsAndRunsDirectoryComeFromTheEnvironment() throws Exception {
        DockerTestSupport.Result r = config(COMPOSE, Map.of(
                "ONEBYTE_NODES", "8",
                "ONEBYTE_ARGS", "--rounds 50 --samples 4",
                "ONEBYTE_NODE_ARGS", "--sync replay",
                "ONEBYTE_RUNS", "/srv/onebyte-runs"));
        assertTrue(r.ok(), r.output());
        String coord = serviceBlock(r.output(), "coordinator");
        Map<String, String> env = section(coord, "environment");
        assertEquals("8", env.get("ONEBYTE_NODES"));
        assertEquals("--rounds 50 --samples 4", env.get("ONEBYTE_ARGS"));
        assertEquals("--sync replay", section(serviceBlock(r.output(), "node"), "environment").get("ONEBYTE_ARGS"),
                "coordinator flags must not reach the nodes");
        assertTrue(coord.contains("/srv/onebyte-runs:/data/runs"), coord);
    }

    /** docker/compose.tls.yml over compose.yml: both services get the TLS directory and password; the default stays plain. */
    @Test
    void theTlsOverrideTurnsOnTlsForBothServicesAndNeedsThePassword() throws Exception {
        Path tlsFile = ROOT.resolve("docker/compose.tls.yml");
        List<String> both = List.of(dockerCompose().toString(), "-f", COMPOSE.toString(), "-f", tlsFile.toString(), "config");
        DockerTestSupport.Result r = DockerTestSupport.run(ROOT.resolve("docker"),
                Map.of("ONEBYTE_TLS_PASSWORD", "pw", "ONEBYTE_TLS_CERTS", "/srv/certs"), 60, both);
        assertTrue(r.ok(), r.output());
        for (String service : List.of("coordinator", "node")) {
            String block = serviceBlock(r.output(), service);
            Map<String, String> env = section(block, "environment");
            assertEquals("/tls", env.get("ONEBYTE_TLS_DIR"), service);
            assertEquals("pw", env.get("ONEBYTE_TLS_PASSWORD"), service);
            assertTrue(block.contains("/srv/certs:/tls:ro"), block);
        }
        assertEquals("/tls/node-1.p12", section(serviceBlock(r.output(), "node"), "environment").get("ONEBYTE_TLS_KEY_STORE"));
        assertTrue(serviceBlock(r.output(), "coordinator").contains("onebyte-runs:/data/runs"), "the runs volume stays");
        DockerTestSupport.Result noPassword = DockerTestSupport.run(ROOT.resolve("docker"), Map.of(), 60, both);
        assertFalse(noPassword.ok(), "without ONEBYTE_TLS_PASSWORD the override must refuse:\n" + noPassword.output());
        Map<String, String> plain = section(serviceBlock(config(COMPOSE, Map.of()).output(), "node"), "environment");
        assertFalse(plain.keySet().stream().anyMatch(k -> k.startsWith("ONEBYTE_TLS")), "compose.yml alone is plain TCP: " + plain);
    }

    /** Negative control: the validation step really rejects a broken file (so the tests above can fail). */
    @Test
    void brokenComposeFileIsRejected(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("docker"));
        String text = Files.readString(COMPOSE);
        Path typo = dir.resolve("compose.yml");
        Files.writeString(typo, text.replace("stop_grace_period:", "stop_grace_periods:"));
        DockerTestSupport.Result bad = config(typo, Map.of());
        assertNotEquals(0, bad.exitCode(), "an unknown key must be rejected:\n" + bad.output());
        assertTrue(bad.output().contains("stop_grace_periods"), bad.output());
        Files.writeString(typo, text);
        assertTrue(config(typo, Map.of()).ok(), "the unmodified copy is valid");
    }

    @Test
    void dockerfileHasABuildAndAJreStageAndRunsAsANonRootUser() throws IOException {
        List<String> ins = instructions(DOCKERFILE);
        List<String> froms = ins.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertEquals(List.of("FROM ${BUILD_IMAGE} AS build", "FROM ${RUNTIME_IMAGE} AS runtime"), froms);
        // the base images are build arguments whose defaults are the public images
        assertTrue(ins.indexOf("ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17") >= 0
                && ins.indexOf("ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17") < ins.indexOf(froms.get(0)), String.join("\n", ins));
        assertTrue(ins.indexOf("ARG RUNTIME_IMAGE=eclipse-temurin:17-jre") >= 0
                && ins.indexOf("ARG RUNTIME_IMAGE=eclipse-temurin:17-jre") < ins.indexOf(froms.get(0)), String.join("\n", ins));
        int runtimeStart = ins.indexOf(froms.get(1));
        List<String> runtime = ins.subList(runtimeStart, ins.size());
        List<String> users = runtime.stream().filter(l -> l.startsWith("USER ")).toList();
        assertFalse(users.isEmpty(), "the runtime stage must switch to a non-root USER");
        String user = users.get(users.size() - 1).substring(5).trim();
        assertFalse(user.equals("root") || user.startsWith("0") || user.startsWith("root:"), "USER " + user);
        int userAt = indexOfFirst(runtime, "USER ");
        int warmupAt = indexOfFirst(runtime, "RUN java -cp /opt/onebyte/onebyte.jar:/opt/onebyte/warmup NativeWarmup");
        int entryAt = indexOfFirst(runtime, "ENTRYPOINT ");
        assertTrue(userAt >= 0 && warmupAt > userAt, "the ND4J warm-up must run as the runtime user (cache in its home)");
        assertTrue(entryAt > userAt, "ENTRYPOINT after USER");
        assertEquals("ENTRYPOINT [\"/opt/onebyte/entrypoint.sh\"]", runtime.get(entryAt));
        assertTrue(runtime.contains("STOPSIGNAL SIGTERM"));
    }

    @Test
    void mavenInTheImageFetchesOnlyLinuxX8664Natives() throws IOException {
        List<String> ins = instructions(DOCKERFILE);
        List<String> mvnCalls = ins.stream().filter(l -> l.startsWith("RUN "))
                .flatMap(l -> java.util.Arrays.stream(l.split("(?=\\bmvn )")).skip(1)).toList();
        assertEquals(2, mvnCalls.size(), "dependency:go-offline and package: " + mvnCalls);
        for (String call : mvnCalls) {
            assertTrue(call.contains("-Djavacpp.platform=linux-x86_64"), call);
        }
        assertTrue(ins.contains("COPY .mvn/ .mvn/"), "the image build must see .mvn/maven.config");
        assertTrue(Files.readString(ROOT.resolve(".mvn/maven.config")).contains("-Djavacpp.platform=linux-x86_64"));
        assertTrue(ins.stream().anyMatch(l -> l.contains("package -DskipTests") && l.contains("-pl coordinator -am")));
    }

    @Test
    void everyCopiedPathExistsAndIsInTheBuildContext() throws IOException {
        List<PathMatcher> ignored = dockerignore();
        List<String> sources = new ArrayList<>();
        for (String l : instructions(DOCKERFILE)) {
            if (!l.startsWith("COPY ") || l.contains("--from=")) {
                continue;
            }
            List<String> words = List.of(l.substring(5).trim().split("\\s+"));
            sources.addAll(words.subList(0, words.size() - 1));
        }
        assertTrue(sources.size() >= 10, "COPY sources: " + sources);
        for (String s : sources) {
            String rel = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
            assertTrue(Files.exists(ROOT.resolve(rel)), "COPY source missing from the repository: " + s);
            assertFalse(ignored.stream().anyMatch(m -> m.matches(Path.of(rel))), ".dockerignore excludes " + s);
        }
        // the context stays small: no build output, no git history
        for (String p : List.of(".git", "coordinator/target", "core/target/classes", "runs")) {
            assertTrue(ignored.stream().anyMatch(m -> m.matches(Path.of(p))), ".dockerignore should exclude " + p);
        }
    }

    // ---- helpers ----

    /** Dockerfile instructions, continuation lines joined, comments and blank lines dropped. */
    private static List<String> instructions(Path dockerfile) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String raw : Files.readAllLines(dockerfile)) {
            String line = raw.strip();
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            boolean cont = line.endsWith("\\");
            cur.append(cont ? line.substring(0, line.length() - 1).strip() : line).append(cont ? " " : "");
            if (!cont) {
                out.add(cur.toString().replaceAll("\\s+", " "));
                cur.setLength(0);
            }
        }
        return out;
    }

    private static int indexOfFirst(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    /** .dockerignore patterns as glob matchers over context-relative paths (with "dir/**" for a directory). */
    private static List<PathMatcher> dockerignore() throws IOException {
        List<PathMatcher> out = new ArrayList<>();
        for (String raw : Files.readAllLines(ROOT.resolve(".dockerignore"))) {
            String p = raw.strip();
            if (p.isEmpty() || p.startsWith("#")) {
                continue;
            }
            p = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
            for (String g : List.of(p, p + "/**")) {
                out.add(FileSystems.getDefault().getPathMatcher("glob:" + g));
                if (g.startsWith("**/")) {
                    out.add(FileSystems.getDefault().getPathMatcher("glob:" + g.substring(3)));
                }
            }
        }
        return out;
    }

    /** The lines of one service in docker-compose's normalised output ("  name:" up to the next service). */
    private static String serviceBlock(String config, String service) {
        StringBuilder b = new StringBuilder();
        boolean inServices = false;
        boolean in = false;
        for (String l : config.lines().toList()) {
            if (!l.startsWith(" ")) {
                inServices = l.equals("services:");
                in = false;
                continue;
            }
            if (inServices && l.matches("  \\S.*:")) {
                in = l.equals("  " + service + ":");
                continue;
            }
            if (in) {
                b.append(l).append('\n');
            }
        }
        assertFalse(b.isEmpty(), "service " + service + " not found in:\n" + config);
        return b.toString();
    }

    /** "KEY: value" entries of a mapping directly under {@code key} in a service block. */
    private static Map<String, String> section(String block, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        boolean in = false;
        for (String l : block.lines().toList()) {
            if (l.matches("    \\S.*")) {
                in = l.equals("    " + key + ":");
                continue;
            }
            if (in && l.startsWith("      ") && l.contains(": ")) {
                String kv = l.strip();
                int c = kv.indexOf(": ");
                String v = kv.substring(c + 2).strip();
                out.put(kv.substring(0, c), v.length() >= 2 && v.startsWith("'") && v.endsWith("'")
                        ? v.substring(1, v.length() - 1) : v);
            }
        }
        return out;
    }
}
