package onebyte.coordinator.experiment;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import onebyte.coordinator.console.ConsoleLog;
import onebyte.coordinator.scenario.Scenario;
import org.slf4j.LoggerFactory;

/**
 * One run's directory, {@code <output-dir>/<id>-<yyyyMMdd-HHmmss>}: the resolved scenario, the
 * log (run.log, everything the run logs at INFO and above, Akka's and the cluster's lines too; while
 * it is open the console shows only warnings and errors, see {@link ConsoleLog}), metrics, summary and plots.
 */
public final class RunDirectory implements AutoCloseable {
    /** The resolved scenario in a run directory: every key, with the clock costs the run used. */
    public static final String SCENARIO = "scenario.conf";
    /** The data a run read from the user's files (files, splits, label → class mapping); summary.json repeats it. */
    public static final String DATA = "data.txt";

    /**
     * In the run directory of a multi-process run ({@code onebyte coordinator --scenario}): the
     * coordinator's host:port, where {@code coordinator --resume} listens again (the nodes look for it there).
     */
    public static final String COORDINATOR = "coordinator.txt";

    /**
     * Written when a signal stopped the run (see {@code RunInterrupt}): one line per interrupted
     * algorithm, "ALGORITHM SIGNAL ROUNDS" (the rounds it completed); its summary says
     * stoppedBy = interrupted.
     */
    public static final String INTERRUPTED = "interrupted.txt";

    private final Path dir;
    private final String name;
    private final FileAppender<ILoggingEvent> log;
    private final AutoCloseable console;

    private RunDirectory(Path dir, FileAppender<ILoggingEvent> log) {
        this.dir = dir;
        this.name = dir.getFileName().toString();
        this.log = log;
        this.console = ConsoleLog.duringRun();
    }

    public static RunDirectory create(Scenario s) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = s.run().outputDir().resolve(s.run().id() + "-" + stamp);
        for (int i = 2; Files.exists(dir); i++) {
            dir = s.run().outputDir().resolve(s.run().id() + "-" + stamp + "-" + i);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + dir, e);
        }
        writeScenario(dir, s, "");
        return new RunDirectory(dir, attachLog(dir.resolve("run.log")));
    }

    /** An existing run directory, to go on with (its log, run.log, is appended to). */
    public static RunDirectory reopen(Path dir) {
        return new RunDirectory(dir, attachLog(dir.resolve("run.log")));
    }

    /**
     * Rewrites the resolved scenario once the clock costs a run measured are known (they are in
     * {@code s}), with a comment giving the overrides that rerun it with exactly these costs.
     */
    public void recordMeasuredClock(Scenario s) {
        writeScenario(dir, s, "# clock: costs measured at the start of this run; rerun with exactly these costs with\n#   "
                + s.clock().fixedOverrides() + "\n");
    }

    private static void writeScenario(Path dir, Scenario s, String comment) {
        try {
            Files.writeString(dir.resolve(SCENARIO), "# resolved from " + s.file() + "\n" + comment + s.resolved(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(SCENARIO), e);
        }
    }

    private static FileAppender<ILoggingEvent> attachLog(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return null;
        }
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
        enc.start();
        FileAppender<ILoggingEvent> app = new FileAppender<>();
        app.setContext(ctx);
        app.setName("run-log");
        app.setFile(file.toString());
        app.setEncoder(enc);
        app.setImmediateFlush(true);
        app.start();
        Logger onebyte = ctx.getLogger("onebyte");
        onebyte.addAppender(app);
        ctx.getLogger("akka").addAppender(app);
        return app;
    }

    /** Records that {@code algorithm} was stopped by {@code signal} after {@code rounds} completed rounds. */
    public void recordInterrupt(String algorithm, String signal, long rounds) {
        recordInterrupt(dir, algorithm, signal, rounds);
    }

    /** As {@link #recordInterrupt(String, String, long)} in the run directory {@code dir}. */
    public static void recordInterrupt(Path dir, String algorithm, String signal, long rounds) {
        try {
            Files.writeString(dir.resolve(INTERRUPTED), algorithm + " " + signal + " " + rounds + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(INTERRUPTED), e);
        }
    }

    /** The algorithms {@link #INTERRUPTED} names in {@code runDir} (none when the file is not there). */
    public static java.util.Set<String> interrupted(Path runDir) {
        Path f = runDir.resolve(INTERRUPTED);
        if (!Files.isRegularFile(f)) {
            return java.util.Set.of();
        }
        try {
            java.util.Set<String> out = new java.util.LinkedHashSet<>();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(line.trim().split("\\s+")[0]);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    public Path path() {
        return dir;
    }

    /** The run id written into every metrics row: the directory's name. */
    public String runId() {
        return name;
    }

    @Override
    public void close() {
        try {
            console.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot restore the console's logging", e);
        }
        if (log != null && LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger("onebyte").detachAppender(log);
            ctx.getLogger("akka").detachAppender(log);
            log.stop();
        }
    }
}
