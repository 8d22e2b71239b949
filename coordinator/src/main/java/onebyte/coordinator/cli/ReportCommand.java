package onebyte.coordinator.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import onebyte.coordinator.metrics.RunSummary;
import onebyte.coordinator.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code onebyte report <run dir>}: plots, summary.json and report.html from a run's metrics. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Render PNG plots, summary.json and report.html from a run directory's metrics.csv.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory (holds metrics.csv).")
    Path runDir;

    @Option(names = "--target-accuracy", paramLabel = "FRACTION",
            description = "Accuracy level for the 'to reach' columns (default: the lowest best accuracy of all algorithms).")
    Double target;

    @Override
    public Integer call() {
        System.setProperty("java.awt.headless", "true");
        RunSummary summary = RunReport.render(runDir, target);
        System.out.print(summary.table());
        System.out.println("report: " + runDir.resolve(RunReport.HTML).toAbsolutePath());
        return 0;
    }
}
