package onebyte.coordinator.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code onebyte} CLI processes of a multi-process test: each a fresh JVM on the test class path
 * (-Xmx512m); {@link #stopAll} kills whatever is still running.
 */
final class CliProcesses {
    private final List<Process> processes = new ArrayList<>();
    private final Path logDir;

    /** @param logDir where {@code NAME.log} receives a process's output (stdout and stderr) */
    CliProcesses(Path logDir) {
        this.logDir = logDir;
    }

    /** Starts {@code onebyte ARGS...}; its output goes to NAME.log, or stays readable from the process when {@code toLog} is false. */
    Process start(String name, boolean toLog, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", cp, "onebyte.coordinator.cli.OnebyteCommand"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (toLog) {
            pb.redirectOutput(log(name).toFile());
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** The file NAME's output goes to. */
    Path log(String name) {
        return logDir.resolve(name + ".log");
    }

    void stopAll() {
        processes.forEach(Process::destroyForcibly);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
