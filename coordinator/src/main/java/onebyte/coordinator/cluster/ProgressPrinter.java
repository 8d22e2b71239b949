package onebyte.coordinator.cluster;

import java.io.PrintStream;
import java.util.Locale;
import onebyte.coordinator.metrics.MetricsRow;

/** Prints one line per round (round, members, loss, accuracy, bytes) and the joins. */
public final class ProgressPrinter implements RunListener {
    private final PrintStream out;

    public ProgressPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void roundClosed(MetricsRow r, RoundReport report) {
        out.println(String.format(Locale.ROOT,
                "round %5d  members %3d  n %4d  train_loss %8.4f  eval_loss %8s  eval_acc %7s  up %7d B  down %8d B  cum %10d B  agree %-5s  %s%s",
                r.round(), r.members(), r.contributed(), r.trainLoss(), num(r.evalLoss()), num(r.evalAccuracy()), r.bytesUp(),
                r.bytesDown(), r.bytesCum(), r.replicasAgree() == null ? "-" : r.replicasAgree(), report.closedByDeadline() ? "deadline" : "",
                churn(r)));
    }

    @Override
    public void nodeSynced(RunResult.JoinRecord j) {
        out.println(String.format(Locale.ROOT, "node %d synced by %s to round %d: %d bytes in %.3f s, hash %s", j.nodeId(),
                j.sync().replace("SYNC_", "").toLowerCase(Locale.ROOT), j.round(), j.bytes(), j.seconds(),
                j.hashAgrees() ? "agrees" : "DIFFERS"));
    }

    @Override
    public void finished(RunResult res) {
        if (res.rows().isEmpty()) {
            out.println("done: 0 rounds, stopped by " + res.stoppedBy().key() + " before round 0");
            return;
        }
        MetricsRow last = res.last();
        out.println(String.format(Locale.ROOT,
                "done: %d rounds, stopped by %s; eval accuracy %.4f -> %s, %d bytes on the wire, %.3f s virtual, final θ %s",
                last.round() + 1, res.stoppedBy().key(), res.initialEvalAccuracy(), num(last.evalAccuracy()), last.bytesCum(),
                last.virtualTimeS(), res.finalHash().substring(0, 16)));
    }

    private static String churn(MetricsRow r) {
        StringBuilder b = new StringBuilder();
        if (r.joined() > 0) b.append(" +").append(r.joined()).append(" joined");
        if (r.left() > 0) b.append(" -").append(r.left()).append(" left");
        if (r.crashed() > 0) b.append(" x").append(r.crashed()).append(" crashed");
        return b.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
