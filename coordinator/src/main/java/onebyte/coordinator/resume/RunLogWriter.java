package onebyte.coordinator.resume;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.proto.Commit;
import onebyte.proto.RoundRecord;
import onebyte.proto.RunLogHeader;

/**
 * Appends one algorithm's {@link RunLog}: the header when the file is new, then a record per
 * round as the coordinator reports it closed (after its metrics row was written), flushed at once
 * (to the operating system: a killed process loses nothing; a machine that loses power may lose
 * the last records, and then the rows beyond the log are dropped on resume). Rounds below
 * {@code firstRound} (already in the log of a resumed run) are not written again.
 */
public final class RunLogWriter implements RunListener, AutoCloseable {
    private final Path file;
    private final OutputStream out;
    private final long firstRound;
    private Commit commit;

    private RunLogWriter(Path file, OutputStream out, long firstRound) {
        this.file = file;
        this.out = out;
        this.firstRound = firstRound;
    }

    /** Starts the log of a run of {@code header.getAlgorithm()} in {@code runDir} (a new file). */
    public static RunLogWriter create(Path runDir, RunLogHeader header) {
        Path file = RunLog.file(runDir, header.getAlgorithm());
        try {
            Files.createDirectories(file.getParent());
            OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE));
            header.writeDelimitedTo(out);
            out.flush();
            return new RunLogWriter(file, out, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }

    /** Appends to the log of a resumed run, which ends at round {@code firstRound} − 1 (truncated there by {@link ResumePlan}). */
    public static RunLogWriter append(Path runDir, String algorithm, long firstRound) {
        Path file = RunLog.file(runDir, algorithm);
        try {
            return new RunLogWriter(file, new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.APPEND)), firstRound);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    @Override
    public void committed(Commit c) {
        commit = c;
    }

    @Override
    public void roundClosed(MetricsRow row, RoundReport report) {
        if (row.round() < firstRound) {
            commit = null;
            return;
        }
        RoundRecord.Builder b = RoundRecord.newBuilder().setRound(row.round()).addAllMembers(report.members().stream().sorted().toList())
                .addAllContributors(report.contributors().stream().sorted().toList()).setModelHash(report.replicaHash())
                .setVirtualTimeS(row.virtualTimeS()).setBytesCum(row.bytesCum()).setForwardPassesCum(row.forwardPassesCum());
        if (commit != null && commit.getRound() == row.round()) {
            b.setCommit(commit);
        }
        commit = null;
        try {
            b.build().writeDelimitedTo(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append round " + row.round() + " to " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }
}
