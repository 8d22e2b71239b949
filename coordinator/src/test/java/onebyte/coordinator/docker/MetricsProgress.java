package onebyte.coordinator.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import onebyte.coordinator.docker.ComposeProject.Container;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;

/**
 * The metrics.csv a containerised coordinator writes, read live from the host directory mounted
 * at its /data/runs: the run directory the entrypoint made there, and the rows complete so far
 * (the file is flushed after every row; a line still being written is left out).
 */
final class MetricsProgress {
    private final Path runs;
    private final ComposeProject project;
    private final Container coordinator;

    MetricsProgress(Path runs, ComposeProject project, Container coordinator) {
        this.runs = runs;
        this.project = project;
        this.coordinator = coordinator;
    }

    /** The rows written so far (none before the run directory exists). */
    List<MetricsRow> rows() throws IOException {
        Path csv = csv();
        if (csv == null) {
            return List.of();
        }
        String text = Files.readString(csv, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return List.of();
        }
        Path complete = Files.createTempFile("onebyte-metrics", ".csv");
        try {
            Files.writeString(complete, text.substring(0, end + 1), StandardCharsets.UTF_8);
            return MetricsFiles.readCsv(complete);
        } finally {
            Files.deleteIfExists(complete);
        }
    }

    /** The last round written, -1 before the first. */
    long lastRound() throws IOException {
        List<MetricsRow> rows = rows();
        return rows.isEmpty() ? -1 : rows.get(rows.size() - 1).round();
    }

    /** Waits for the first row that matches {@code what}; fails after {@code timeoutS} or when the coordinator stopped first. */
    MetricsRow await(Predicate<MetricsRow> what, long timeoutS, String description) throws Exception {
        long end = System.nanoTime() + timeoutS * 1_000_000_000L;
        while (true) {
            List<MetricsRow> rows = rows();
            for (MetricsRow r : rows) {
                if (what.test(r)) {
                    return r;
                }
            }
            boolean running = "true".equals(project.inspect(List.of(coordinator), "{{.State.Running}}").get(coordinator.id()));
            if (!running || System.nanoTime() > end) {
                throw new AssertionError("no " + description + " in the metrics " + (running ? "within " + timeoutS + " s" : "before the run ended")
                        + " (" + rows.size() + " rows; last " + (rows.isEmpty() ? "-" : rows.get(rows.size() - 1)) + "); coordinator:\n"
                        + project.logTail(coordinator, 30));
            }
            Thread.sleep(300);
        }
    }

    private Path csv() throws IOException {
        try (Stream<Path> dirs = Files.list(runs)) {
            List<Path> found = dirs.map(d -> d.resolve(MetricsFiles.CSV)).filter(Files::isRegularFile).toList();
            if (found.size() > 1) {
                throw new AssertionError("more than one run directory under " + runs + ": " + found);
            }
            return found.isEmpty() ? null : found.get(0);
        }
    }
}
