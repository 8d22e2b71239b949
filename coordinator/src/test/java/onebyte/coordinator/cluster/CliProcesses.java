package onebyte.coordinator.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code onebyte} CLI processes of a multi-process test (register with {@code @RegisterExtension}):
 * each a fresh JVM on the test class path (-Xmx512m) whose output goes to NAME.log in a fresh
 * directory per test (deleted after it; failing assertions quote the logs they need); whatever
 * still runs after the test is killed.
 */
final class CliProcesses implements BeforeEachCallback, AfterEachCallback {
    private final List<Process> processes = new ArrayList<>();
    private Path logDir;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        logDir = Files.createTempDirectory("onebyte-processes");
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        for (Process p : processes) {
            p.destroyForcibly().onExit().join();
        }
        processes.clear();
        try (var files = Files.walk(logDir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    /** Starts {@code onebyte ARGS...}; its output goes to NAME.log, or stays readable from the process when {@code toLog} is false. */
    Process start(String name, boolean toLog, String... args) {
        return start(name, toLog, List.of(), args);
    }

    /** {@link #start(String, boolean, String...)} with these JVM options (e.g. -Dakka....) before the main class. */
    Process start(String name, boolean toLog, List<String> jvmOptions, String... args) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", cp, "onebyte.coordinator.cli.OnebyteCommand"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (toLog) {
            pb.redirectOutput(log(name).toFile());
        }
        try {
            Process p = pb.start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** The file NAME's output goes to. */
    Path log(String name) {
        return logDir.resolve(name + ".log");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
