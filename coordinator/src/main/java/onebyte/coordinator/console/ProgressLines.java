package onebyte.coordinator.console;

import java.io.PrintStream;
import java.util.Locale;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.metrics.MetricsRow;

/**
 * Progress as plain lines (no terminal: CI, a pipe, a file): a line at every evaluation and churn
 * event, and after {@code every} rounds without one; plus the joins and the end.
 * {@code every = 1} prints every round (the tests do).
 */
public final class ProgressLines implements RunListener {
    private final PrintStream out;
    private final long every;
    private final long startNanos = System.nanoTime();
    private long lastPrinted = -1;

    public ProgressLines(PrintStream out) {
        this(out, 1);
    }

    public ProgressLines(PrintStream out, long every) {
        if (every < 1) throw new IllegalArgumentException("every must be >= 1, got " + every);
        this.out = out;
        this.every = every;
    }

    @Override
    public void roundClosed(MetricsRow r, RoundReport report) {
        boolean churn = r.joined() + r.left() + r.crashed() > 0;
        if (every > 1 && r.round() - lastPrinted < every && Double.isNaN(r.evalAccuracy()) && !churn && !report.closedByDeadline()) {
            return;
        }
        lastPrinted = r.round();
        out.println(String.format(Locale.ROOT,
                "round %5d  members %3d  n %4d  train_loss %8.4f  eval_loss %8s  eval_acc %7s  up %7d B  down %8d B  cum %10d B  agree %-5s  %s%s%s",
                r.round(), r.members(), r.contributed(), r.trainLoss(), num(r.evalLoss()), num(r.evalAccuracy()), r.bytesUp(),
                r.bytesDown(), r.bytesCum(), r.replicasAgree() == null ? "-" : r.replicasAgree(), report.closedByDeadline() ? "deadline" : "",
                churn(r), every > 1 ? String.format(Locale.ROOT, "  [%.0f s]", (System.nanoTime() - startNanos) / 1e9) : ""));
    }

    @Override
    public void nodeSynced(RunResult.JoinRecord j) {
        out.println(synced(j));
    }

    @Override
    public void finished(RunResult res) {
        out.println(done(res));
    }

    static String synced(RunResult.JoinRecord j) {
        return String.format(Locale.ROOT, "node %d synced by %s to round %d: %d bytes in %.3f s, hash %s", j.nodeId(),
                j.sync().replace("SYNC_", "").toLowerCase(Locale.ROOT), j.round(), j.bytes(), j.seconds(),
                j.hashAgrees() ? "agrees" : "DIFFERS");
    }

    static String done(RunResult res) {
        if (res.rows().isEmpty()) {
            return "done: 0 rounds, stopped by " + res.stoppedBy().key() + " before round 0";
        }
        MetricsRow last = res.last();
        return String.format(Locale.ROOT,
                "done: %d rounds, stopped by %s; eval accuracy %.4f -> %s, %d bytes on the wire, %.3f s virtual, final θ %s",
                last.round() + 1, res.stoppedBy().key(), res.initialEvalAccuracy(), num(last.evalAccuracy()), last.bytesCum(),
                last.virtualTimeS(), res.finalHash().substring(0, 16));
    }

    static String churn(MetricsRow r) {
        StringBuilder b = new StringBuilder();
        if (r.joined() > 0) b.append(" +").append(r.joined()).append(" joined");
        if (r.left() > 0) b.append(" -").append(r.left()).append(" left");
        if (r.crashed() > 0) b.append(" x").append(r.crashed()).append(" crashed");
        return b.toString();
    }

    static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
