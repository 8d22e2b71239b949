package onebyte.coordinator.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import onebyte.coordinator.experiment.ScenarioCheckpoint;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioException;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.coordinator.sweep.SweepPoint;
import onebyte.coordinator.sweep.SweepReport;
import onebyte.core.model.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code onebyte sweep SCENARIO}: the scenario's comparison at each point of {@code sweep.points}
 * (or {@code --grid key=v1,v2,...}), one point after another in this JVM, each in its own run
 * directory inside the sweep's directory; then one table, CSV and log-log plot of bytes-to-target
 * against d (see {@link SweepReport}). Every point is validated before the first one runs; the
 * outputs are rewritten after every point, so a sweep cut short keeps the points it finished.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run a scenario's comparison at several values of a key; table, CSV and log-log plot of bytes-to-target against d.",
        footer = "Exit codes: 0 ok, 2 bad input, 3 SPSA replicas disagreed, 130 / 143 stopped by Ctrl-C (SIGINT) / SIGTERM"
                + " (the point in progress ends after its current round with its report; the sweep's table covers the points done).")
public final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "A scenario file with eval.target-accuracy and sweep.points (or use --grid).")
    Path scenarioFile;

    @Option(names = "--grid", paramLabel = "KEY=V1,V2,...",
            description = "The points: one scenario key and its values (commas inside [..] or {..} belong to the value), "
                    + "e.g. --grid 'model.hidden=[24,24],[200,200]'. Replaces sweep.points.")
    String grid;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a scenario key at every point (repeatable).")
    List<String> overrides = new ArrayList<>();

    @picocli.CommandLine.Mixin
    ConsoleOptions console = new ConsoleOptions();

    @Override
    public Integer call() throws Exception {
        console.apply();
        ScenarioLoader loader = new ScenarioLoader();
        Scenario base = loader.load(scenarioFile, overrides);
        List<List<String>> points = grid != null ? gridPoints(grid) : base.sweep().points();
        if (points.isEmpty()) {
            throw new ScenarioException(scenarioFile.toString(), "sweep.points", "no points: give a sweep.points list or --grid key=v1,v2,...");
        }
        if (base.eval().targetAccuracy() <= 0) {
            throw new ScenarioException(scenarioFile.toString(), "eval.target-accuracy",
                    "a sweep compares bytes to one target accuracy at every point: set it (e.g. --set eval.target-accuracy=0.8)");
        }
        Path dir = sweepDirectory(base);
        List<Scenario> scenarios = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            List<String> o = new ArrayList<>(overrides);
            o.addAll(points.get(i));
            o.add("run.output-dir=\"" + dir + "\"");
            o.add("run.id=" + base.run().id() + "-p" + (i + 1));
            Scenario s = loader.load(scenarioFile, o);
            ScenarioCheckpoint.validate(s);
            onebyte.coordinator.experiment.ShardPlan.validate(s, ChurnSchedule.resolve(s));
            scenarios.add(s);
        }
        System.out.println("sweep directory: " + dir.toAbsolutePath() + " (" + points.size() + " points)");
        List<SweepPoint> done = new ArrayList<>();
        SweepReport report = null;
        int exit = 0;
        for (int i = 0; i < scenarios.size(); i++) {
            Scenario s = scenarios.get(i);
            long d = Models.create(ScenarioCheckpoint.modelSpec(s)).numParams();
            System.out.printf(java.util.Locale.ROOT, "%n=== sweep point %d/%d: %s (d = %,d)%n", i + 1, scenarios.size(),
                    String.join(" ", points.get(i)), d);
            RunCommand.Outcome out = RunCommand.execute(s, ChurnSchedule.resolve(s), true);
            exit = Math.max(exit, out.exitCode());
            if (out.summary() != null) {
                done.add(new SweepPoint(i + 1, points.get(i), d, out.dir(), out.summary()));
                report = new SweepReport(base.run().id(), base.eval().targetAccuracy(), List.copyOf(done));
                report.write(dir);
            }
            if (out.interrupted()) {
                System.out.println("sweep interrupted at point " + (i + 1) + " of " + scenarios.size());
                break;
            }
        }
        if (report == null) {
            return exit;
        }
        System.out.println();
        System.out.print(report.table());
        System.out.println("table: " + dir.resolve(SweepReport.CSV).toAbsolutePath());
        System.out.println("plot:  " + dir.resolve(SweepReport.PLOT).toAbsolutePath());
        return exit;
    }

    private static Path sweepDirectory(Scenario base) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = base.run().outputDir().resolve(base.run().id() + "-sweep-" + stamp);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sweep directory " + dir, e);
        }
    }

    /** "key=v1,v2" → one override list per value; commas nested in [..], {..} or quotes stay in their value. */
    static List<List<String>> gridPoints(String grid) {
        int eq = grid.indexOf('=');
        if (eq <= 0 || eq == grid.length() - 1) throw new ScenarioException("command line", "--grid", "expected key=v1,v2,..., got '" + grid + "'");
        String key = grid.substring(0, eq).trim();
        List<List<String>> points = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        StringBuilder value = new StringBuilder();
        for (char ch : (grid.substring(eq + 1) + ",").toCharArray()) {
            if (ch == '"') quoted = !quoted;
            if (!quoted && (ch == '[' || ch == '{')) depth++;
            if (!quoted && (ch == ']' || ch == '}')) depth--;
            if (ch == ',' && depth == 0 && !quoted) {
                if (value.toString().isBlank()) throw new ScenarioException("command line", "--grid", "an empty value in '" + grid + "'");
                points.add(List.of(key + "=" + value.toString().trim()));
                value.setLength(0);
            } else {
                value.append(ch);
            }
        }
        return points;
    }
}
