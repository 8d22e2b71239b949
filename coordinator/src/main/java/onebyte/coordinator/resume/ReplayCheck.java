package onebyte.coordinator.resume;

import java.util.List;
import onebyte.coordinator.cluster.RunInterrupt;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.proto.RoundRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resumed algorithm's rounds from .. n − 1 (from: 0, or the round of the saved state it
 * restarted from, {@link StateFiles}), run again to rebuild the cluster's state, checked
 * against what the stopped run recorded: each row must equal its recorded row but for wall time
 * (the recorded rows stay in the files, the re-run's are not written again) and the model hash
 * after each round its commit-log record's. From round n on, rows go to the files. A difference
 * stops the run after that round ({@link #mismatch} says where): the continuation would not be
 * the run that was stopped.
 */
public final class ReplayCheck implements RunListener {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayCheck.class);

    private final List<MetricsRow> rows;
    private final List<RoundRecord> records;
    private final long from;
    private volatile String mismatch;

    /** {@code rows} and {@code records}: of rounds 0 .. n − 1; the re-run starts at round {@code from}. */
    ReplayCheck(List<MetricsRow> rows, List<RoundRecord> records, long from) {
        this.rows = rows;
        this.records = records;
        this.from = from;
    }

    /** Rounds re-run before the run goes on. */
    public long rounds() {
        return rows.size() - from;
    }

    /** The first difference from the record, or null. */
    public String mismatch() {
        return mismatch;
    }

    /** {@code files} without the re-run rounds' rows, which it checks instead. */
    public MetricsSink wrap(MetricsSink files) {
        return new MetricsSink() {
            @Override
            public void write(MetricsRow row) {
                if (row.round() >= rows.size()) {
                    files.write(row);
                    return;
                }
                MetricsRow recorded = rows.get((int) row.round());
                if (!recorded.repeatable().equals(row.repeatable())) {
                    differs("round " + row.round() + ": recorded " + recorded.repeatable() + ", re-run " + row.repeatable());
                }
            }

            @Override
            public void close() {
                files.close();
            }
        };
    }

    @Override
    public void roundClosed(MetricsRow row, RoundReport report) {
        long r = row.round();
        if (r >= records.size()) {
            return;
        }
        long want = records.get((int) r).getModelHash();
        if (want != report.replicaHash()) {
            differs("round " + r + ": the model after it is " + Long.toHexString(report.replicaHash()) + ", the commit log has "
                    + Long.toHexString(want));
        } else if (r == records.size() - 1 && mismatch == null) {
            LOG.info("resume: rounds {}..{} re-run, identical to the record (rows and model hashes); the run goes on from round {}",
                    from, r, r + 1);
            System.out.println("resume: rounds " + from + ".." + r + " re-run, identical to the record; going on from round " + (r + 1));
        }
    }

    private void differs(String what) {
        if (mismatch == null) {
            mismatch = what;
            LOG.error("resume: the re-run differs from the recorded run at {}; stopping", what);
            RunInterrupt.request("resume-mismatch");
        }
    }
}
