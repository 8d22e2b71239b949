package onebyte.coordinator.console;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.metrics.MetricsRow;

/**
 * Progress on a terminal: one live bar for the algorithm's run (round / total, elapsed and ETA),
 * with members, train loss, the last evaluation's accuracy, the bytes so far and the churn so far,
 * redrawn in place (me.tongfei:progressbar). The bar is left on screen when the run ends, followed
 * by the run's summary line.
 */
final class ProgressBarView implements RunListener {
    private final PrintStream out;
    private final ProgressBar bar;
    private double lastAccuracy = Double.NaN;
    private int joined;
    private int left;
    private int crashed;

    ProgressBarView(String algorithm, long rounds, PrintStream out) {
        this.out = out;
        this.bar = new ProgressBarBuilder().setTaskName(algorithm).setInitialMax(rounds).setStyle(ProgressBarStyle.UNICODE_BLOCK)
                .setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(out)).setUnit(" rounds", 1).build();
    }

    @Override
    public void roundClosed(MetricsRow r, RoundReport report) {
        if (!Double.isNaN(r.evalAccuracy())) {
            lastAccuracy = r.evalAccuracy();
        }
        joined += r.joined();
        left += r.left();
        crashed += r.crashed();
        bar.stepTo(r.round() + 1);
        bar.setExtraMessage(String.format(Locale.ROOT, " %d nodes  loss %.4f  acc %s  %s%s", r.members(), r.trainLoss(),
                Double.isNaN(lastAccuracy) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * lastAccuracy), Bytes.human(r.bytesCum()),
                joined + left + crashed == 0 ? "" : String.format(Locale.ROOT, "  +%d/-%d/x%d", joined, left, crashed)));
    }

    @Override
    public void finished(RunResult res) {
        bar.maxHint(res.rows().size()); // a byte or virtual-time budget may stop the run before its rounds
        bar.close();
        out.println(ProgressLines.done(res));
    }
}
