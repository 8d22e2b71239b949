package onebyte.coordinator.resume;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.core.algorithm.Algorithm;
import onebyte.core.input.BadInputException;
import onebyte.node.wire.Wire;
import onebyte.coordinator.cluster.RestorePoint;
import onebyte.proto.RoundRecord;
import onebyte.proto.RunState;

/**
 * What {@code onebyte resume RUN_DIR} continues: the algorithms of the run that reached their
 * budget (left as they are), the one that was stopped ({@link #algorithm}, with {@link #rounds}
 * completed rounds: those that have both their metrics row and their commit-log record) and the
 * ones after it (not started). Reading checks that the run directory is one, that its commit log
 * was written by this onebyte, is whole (a torn last record or metrics line, as a kill leaves them,
 * is dropped) and agrees with metrics.csv; anything else is a one-line {@link BadInputException}.
 */
public final class ResumePlan {
    private final Path runDir;
    private final Algorithm algorithm;
    private final long rounds;
    private final List<MetricsRow> keptRows;
    private final List<MetricsRow> replayedRows;
    private final RunLog log;
    private final List<Algorithm> done;
    private final String checkpoint;
    private RestorePoint restore;
    private final List<String> notes = new ArrayList<>();

    private ResumePlan(Path runDir, Algorithm algorithm, long rounds, List<MetricsRow> keptRows, List<MetricsRow> replayedRows,
                       RunLog log, List<Algorithm> done, String checkpoint) {
        this.checkpoint = log != null ? log.header().getCheckpoint() : checkpoint;
        this.runDir = runDir;
        this.algorithm = algorithm;
        this.rounds = rounds;
        this.keptRows = keptRows;
        this.replayedRows = replayedRows;
        this.log = log;
        this.done = done;
    }

    /** Reads {@code runDir} of a run of {@code algorithms} with {@code budget}, written by onebyte {@code version}. */
    public static ResumePlan read(Path runDir, String version, List<Algorithm> algorithms, RunBudget budget) {
        Path csv = runDir.resolve(MetricsFiles.CSV);
        if (!Files.isRegularFile(csv)) {
            throw new BadInputException(runDir + ": no " + MetricsFiles.CSV + ": not a run directory, or it stopped before its first round");
        }
        if (!Files.isDirectory(runDir.resolve(RunLog.DIR))) {
            throw new BadInputException(runDir + ": no commit log (" + RunLog.DIR + "/): written by an onebyte without resume, or not a run directory");
        }
        dropTornLine(csv);
        dropTornLine(runDir.resolve(MetricsFiles.JSONL));
        List<MetricsRow> all;
        try {
            all = MetricsFiles.readCsv(csv);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        Map<String, List<MetricsRow>> byAlgorithm = new LinkedHashMap<>();
        for (MetricsRow r : all) {
            byAlgorithm.computeIfAbsent(r.algorithm(), k -> new ArrayList<>()).add(r);
        }
        List<MetricsRow> kept = new ArrayList<>();
        List<Algorithm> done = new ArrayList<>();
        List<String> finished = new ArrayList<>();
        String checkpoint = null;
        for (int i = 0; i < algorithms.size(); i++) {
            Algorithm a = algorithms.get(i);
            List<MetricsRow> rows = byAlgorithm.getOrDefault(a.id(), List.of());
            if (!rows.isEmpty()) {
                MetricsRow last = rows.get(rows.size() - 1);
                RunBudget.Stop stop = budget.reached(last.round() + 1, last.virtualTimeS(), last.bytesCum());
                if (stop != null) {
                    done.add(a);
                    kept.addAll(rows);
                    finished.add(a.id() + ": " + stop.key() + " after " + rows.size() + " rounds");
                    Path doneLog = RunLog.file(runDir, a.id());
                    if (checkpoint == null && Files.isRegularFile(doneLog)) {
                        checkpoint = RunLog.read(doneLog).header().getCheckpoint();
                    }
                    continue;
                }
            }
            for (Algorithm later : algorithms.subList(i + 1, algorithms.size())) {
                if (byAlgorithm.containsKey(later.id())) {
                    throw new BadInputException(csv + ": rows of " + later.id() + " follow the unfinished " + a.id()
                            + ": not a run that onebyte stopped");
                }
            }
            Path file = RunLog.file(runDir, a.id());
            if (!Files.isRegularFile(file)) {
                if (!rows.isEmpty()) {
                    throw new BadInputException(file + ": missing: the " + rows.size() + " rows of " + a.id() + " have no commit log");
                }
                return new ResumePlan(runDir, a, 0, kept, List.of(), null, List.copyOf(done), checkpoint);
            }
            RunLog log = RunLog.read(file);
            checkHeader(file, log, version, a, runDir);
            long n = Math.min(rows.size(), log.records().size());
            for (int r = 0; r < n; r++) {
                RoundRecord rec = log.records().get(r);
                MetricsRow row = rows.get(r);
                if (row.round() != r || rec.getVirtualTimeS() != row.virtualTimeS() || rec.getBytesCum() != row.bytesCum()
                        || rec.getForwardPassesCum() != row.forwardPassesCum()) {
                    throw RunLog.damaged(file, r, "the record of round " + r + " does not match " + csv + "'s row of that round");
                }
            }
            List<MetricsRow> replayed = List.copyOf(rows.subList(0, (int) n));
            kept.addAll(replayed);
            ResumePlan plan = new ResumePlan(runDir, a, n, kept, replayed, log, List.copyOf(done), checkpoint);
            plan.restore = plan.newestState(version);
            return plan;
        }
        throw new BadInputException(runDir + ": the run is finished (" + String.join(", ", finished) + "): nothing to resume");
    }

    /**
     * The newest saved state of {@link #algorithm} at or before round {@link #rounds} that is whole
     * and agrees with the commit log ({@link StateFiles#read}); a damaged one is skipped for the one
     * before it (and said in {@link #notes}); null when there is none.
     */
    private RestorePoint newestState(String version) {
        List<StateFiles.Saved> saved = new ArrayList<>(StateFiles.list(runDir, algorithm.id()));
        java.util.Collections.reverse(saved);
        for (StateFiles.Saved st : saved) {
            if (st.round() > rounds) {
                continue; // beyond the last whole record (a machine that lost the log's tail): dropped by apply()
            }
            String[] why = new String[1];
            RunState state = StateFiles.read(st, version, algorithm.id(), log.records().get((int) st.round() - 1).getModelHash(), why);
            if (state == null) {
                notes.add(st.file() + " " + why[0] + ": not used");
                continue;
            }
            List<RoundRecord> before = log.records().subList(0, (int) st.round());
            return new RestorePoint(state, before.stream().filter(RoundRecord::hasCommit).map(RoundRecord::getCommit).toList(),
                    before.stream().map(RoundRecord::getModelHash).toList());
        }
        return null;
    }

    private static void checkHeader(Path file, RunLog log, String version, Algorithm a, Path runDir) {
        var h = log.header();
        if (h.getFormatVersion() != RunLog.FORMAT_VERSION) {
            throw new BadInputException(file + ": commit log format " + h.getFormatVersion() + ", this onebyte reads format "
                    + RunLog.FORMAT_VERSION + ": resume it with the onebyte that ran it (" + h.getOnebyteVersion() + ")");
        }
        if (!h.getOnebyteVersion().equals(version) || h.getWireVersion() != Wire.VERSION) {
            throw new BadInputException(file + ": written by onebyte " + h.getOnebyteVersion() + " (wire version " + h.getWireVersion()
                    + "), this is onebyte " + version + " (wire version " + Wire.VERSION + "): resume it with the onebyte that ran it");
        }
        if (!h.getAlgorithm().equals(a.id())) {
            throw new BadInputException(file + ": the commit log of " + h.getAlgorithm() + ", expected " + a.id());
        }
        if (!h.getCheckpoint().isEmpty() && !Files.isRegularFile(Path.of(h.getCheckpoint()))) { // empty: the workload's own θ_0
            throw new BadInputException(file + ": the run started from " + h.getCheckpoint() + ", which is gone");
        }
    }

    /** Drops a last line without its line break (a kill while it was written). */
    private static void dropTornLine(Path file) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long len = f.length();
            long keep = len;
            while (keep > 0) {
                f.seek(keep - 1);
                if (f.read() == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < len) {
                f.setLength(keep);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Makes the run directory end at the resume point: metrics.csv and metrics.jsonl keep the rows
     * of the finished algorithms and the {@link #rounds} completed rounds of {@link #algorithm}
     * (rewritten atomically), its commit log its first {@link #rounds} records, and the interrupt
     * record is removed (a new interrupt writes it again).
     */
    public void apply() {
        try {
            Path tmp = Files.createTempDirectory(runDir, ".resume-");
            try (MetricsSink sink = MetricsFiles.open(tmp)) {
                keptRows.forEach(sink::write);
            }
            if (keptRows.isEmpty()) {
                Files.writeString(tmp.resolve(MetricsFiles.JSONL), "", StandardCharsets.UTF_8);
            }
            for (String f : List.of(MetricsFiles.CSV, MetricsFiles.JSONL)) {
                if (Files.exists(tmp.resolve(f))) {
                    Files.move(tmp.resolve(f), runDir.resolve(f), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.deleteIfExists(tmp);
            if (log != null) {
                try (RandomAccessFile f = new RandomAccessFile(RunLog.file(runDir, algorithm.id()).toFile(), "rw")) {
                    f.setLength(log.end(rounds));
                }
            }
            for (StateFiles.Saved st : StateFiles.list(runDir, algorithm.id())) {
                if (st.round() > rounds) {
                    Files.deleteIfExists(st.file());
                }
            }
            Files.deleteIfExists(runDir.resolve(RunDirectory.INTERRUPTED));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + runDir + " for resuming", e);
        }
    }

    /** The algorithm that goes on. */
    public Algorithm algorithm() {
        return algorithm;
    }

    /** Its completed rounds: it goes on from this round. */
    public long rounds() {
        return rounds;
    }

    /** Whether {@code a} reached its budget before the stop (it is not run again). */
    public boolean done(Algorithm a) {
        return done.contains(a);
    }

    /** Whether {@link #algorithm} has a commit log to append to. */
    public boolean hasLog() {
        return log != null;
    }

    /** The checkpoint the run started from, as its commit logs name it; null when none was written yet. */
    public Path checkpoint() {
        return checkpoint == null ? null : Path.of(checkpoint);
    }

    /** The check of the re-run rounds (from the restore point, else 0) .. {@link #rounds} − 1 against their rows and records. */
    public ReplayCheck check() {
        return new ReplayCheck(replayedRows, log == null ? List.of() : log.records().subList(0, (int) rounds),
                restore == null ? 0 : restore.round());
    }

    /** The commit-log records of {@link #algorithm}'s completed rounds 0 .. {@link #rounds} − 1 (none without a log). */
    public List<RoundRecord> records() {
        return log == null ? List.of() : log.records().subList(0, (int) rounds);
    }

    /** The saved state the stopped algorithm goes on from (only the rounds after it run again), or null: it runs again from round 0. */
    public RestorePoint restorePoint() {
        return restore;
    }

    /** Saved states that were found damaged or not matching and were passed over. */
    public List<String> notes() {
        return List.copyOf(notes);
    }
}
