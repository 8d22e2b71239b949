package onebyte.coordinator.docker;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Docker engine a test uses: the one that answers {@code docker info}, or one that
 * docker/start-engine.sh starts (as root or through {@code sudo -n}), which {@link #close} stops
 * again. Where none answers and none can be started, the test is skipped with the reason.
 */
final class DockerEngine implements AutoCloseable {
    /** The PID of the dockerd started for the test; empty when an engine was running already. */
    private final String startedPid;

    private DockerEngine(String startedPid) {
        this.startedPid = startedPid;
    }

    /** The running engine or a started one; skips the calling test when there is neither. */
    static DockerEngine startOrSkip(Path root) throws IOException, InterruptedException {
        assumeTrue(DockerTestSupport.onPath("docker").isPresent(),
                "no docker CLI on PATH, so no Docker engine (apt-get install -y docker.io docker-compose debootstrap)");
        DockerTestSupport.Result r = DockerTestSupport.run(root, Map.of(), 120, List.of("bash", "docker/start-engine.sh"));
        assumeTrue(r.ok(), () -> "no Docker engine answers and none could be started: " + r.output().strip());
        List<String> lines = r.output().strip().lines().toList();
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
        return new DockerEngine(last.matches("\\d+") ? last : "");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (startedPid.isEmpty()) {
            return;
        }
        List<String> kill = new java.util.ArrayList<>(List.of("kill", startedPid));
        if (!"0".equals(DockerTestSupport.run(Path.of("."), Map.of(), 30, List.of("id", "-u")).output().strip())) {
            kill.addAll(0, List.of("sudo", "-n"));
        }
        DockerTestSupport.run(Path.of("."), Map.of(), 30, kill);
        for (int i = 0; i < 60 && Files.exists(Path.of("/proc", startedPid)); i++) {
            Thread.sleep(500);
        }
    }
}
