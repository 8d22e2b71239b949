package onebyte.coordinator.docker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Docker Compose project of docker/compose.yml under a unique project name: {@code compose}
 * commands (Debian's docker-compose 1.x, or the {@code docker compose} plugin), its containers
 * by service and replica number, their state, and {@link #down} with everything it made
 * (containers, the project's network, its volumes), then {@link #leftovers} to check.
 */
final class ComposeProject implements AutoCloseable {
    /** One container of the project. */
    record Container(String id, String name, String service, int number) {}

    private final Path root;
    private final String name;
    private final Map<String, String> env;
    private final List<String> composeCommand;

    ComposeProject(Path root, String name, Map<String, String> env) {
        this.root = root;
        this.name = name;
        this.env = Map.copyOf(env);
        this.composeCommand = DockerTestSupport.onPath("docker-compose").map(p -> List.of(p.toString()))
                .orElse(List.of("docker", "compose"));
    }

    String name() {
        return name;
    }

    /** {@code compose -p NAME -f docker/compose.yml ARGS}; fails unless it exits 0. */
    String compose(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(composeCommand);
        cmd.addAll(List.of("-p", name, "-f", root.resolve("docker/compose.yml").toString()));
        cmd.addAll(List.of(args));
        return ok(DockerTestSupport.run(root, env, timeoutSeconds, cmd), cmd);
    }

    /** {@code docker ARGS}; fails unless it exits 0. */
    String docker(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return ok(DockerTestSupport.run(root, Map.of(), timeoutSeconds, cmd), cmd);
    }

    private static String ok(DockerTestSupport.Result r, List<String> cmd) {
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }

    /** The project's containers (running or not), by service and replica number. */
    List<Container> containers() throws IOException, InterruptedException {
        String out = docker(60, "ps", "-a", "--filter", "label=com.docker.compose.project=" + name, "--format",
                "{{.ID}} {{.Names}} {{.Label \"com.docker.compose.service\"}} {{.Label \"com.docker.compose.container-number\"}}");
        List<Container> cs = new ArrayList<>();
        for (String line : out.strip().lines().toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 4) {
                cs.add(new Container(f[0], f[1], f[2], Integer.parseInt(f[3])));
            }
        }
        cs.sort(java.util.Comparator.comparing(Container::service).thenComparingInt(Container::number));
        return cs;
    }

    /** The container of {@code service} with replica number {@code number}. */
    Container container(String service, int number) throws IOException, InterruptedException {
        return containers().stream().filter(c -> c.service().equals(service) && c.number() == number).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + service + " #" + number + " in project " + name));
    }

    /** {@code docker inspect -f FORMAT} of each container, by container id. */
    Map<String, String> inspect(List<Container> cs, String format) throws IOException, InterruptedException {
        Map<String, String> out = new HashMap<>();
        for (Container c : cs) {
            out.put(c.id(), docker(60, "inspect", "-f", format, c.id()).strip());
        }
        return out;
    }

    /** The last lines of a container's log (for failure messages). */
    String logTail(Container c, int lines) {
        try {
            return DockerTestSupport.run(root, Map.of(), 60, List.of("docker", "logs", "--tail", "" + lines, c.id())).output();
        } catch (IOException | InterruptedException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Removes the project's containers, network and volumes (also the ones a failed step left). */
    void down() throws IOException, InterruptedException {
        compose(180, "down", "--volumes", "--remove-orphans", "--timeout", "10");
    }

    /** What the project still has after {@link #down}: containers, networks, volumes (empty = nothing). */
    String leftovers() throws IOException, InterruptedException {
        String label = "label=com.docker.compose.project=" + name;
        return (docker(60, "ps", "-aq", "--filter", label) + docker(60, "network", "ls", "-q", "--filter", label)
                + docker(60, "volume", "ls", "-q", "--filter", label)).strip();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        down();
    }
}
