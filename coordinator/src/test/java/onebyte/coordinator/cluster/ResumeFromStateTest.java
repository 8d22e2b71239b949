package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.resume.StateFiles;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast resume, for SPSA and FedSpeed (whose state includes every node's ĝ_i and the server's
 * duals): a run of the quickstart task (a join and a crash on the virtual clock) with a
 * saved state every 20 rounds, as real {@code onebyte} processes, once to its end and once killed
 * with kill -9 at a random round after its second state (the seed is printed), then resumed. The
 * resumed process starts from the newest saved state: the first round it runs is that state's
 * (it does not run the rounds before it again), and the run directory ends with the rows of the
 * uninterrupted run (but run id and wall time) and the same final model hash. Then the same killed
 * run with its newest state truncated: the resume says so, starts from the state before it, and
 * gives the same rows and model again.
 */
class ResumeFromStateTest {
    private static final int EVERY = 20;

    @TempDir
    Path tmp;
    @RegisterExtension
    final CliProcesses processes = new CliProcesses();

    private String[] runArgs(String algorithm, Path out) {
        return new String[] {"run", "../scenarios/quickstart.conf", "--set", "run.algorithms=[" + algorithm + "]",
            "--set", "budget.rounds=80", "--set", "eval.every=20", "--set", "fedspeed.local-steps=2",
            "--set", "run.checkpoint-every=" + EVERY,
            "--set", "churn.events=[{at=0.5s,action=join,sync=snapshot},{at=1s,action=crash,node=2}]",
            "--set", "run.output-dir=\"" + out + "\"", "--progress-every", "1"};
    }

    @ParameterizedTest
    @ValueSource(strings = {"spsa", "fedspeed"})
    void aRunKilledAfterASavedStateGoesOnFromItWithTheRowsAndModelOfTheRunThatWentThrough(String algorithm) throws Exception {
        long seed = System.nanoTime();
        int killAt = 2 * EVERY + 5 + new Random(seed).nextInt(EVERY * 3 / 2);
        String where = algorithm + ": kill -9 at round " + killAt + " (seed " + seed + ")";
        System.out.println("ResumeFromStateTest: " + where);

        Path whole = tmp.resolve("whole"); // both output directories of one length: Admit carries the checkpoint path
        ProcessConsole reference = ProcessConsole.of(processes.start("whole", false, runArgs(algorithm, whole)), null, -1);
        assertEquals(0, reference.exit(600), reference.text());

        Path cut = tmp.resolve("cut-a");
        ProcessConsole killed = ProcessConsole.of(processes.start("cut", false, runArgs(algorithm, cut)), null, killAt);
        assertTrue(killed.reached().await(300, TimeUnit.SECONDS), where + ": never reached:\n" + killed.text());
        assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(killed.process().pid())).inheritIO().start().waitFor());
        killed.process().waitFor(60, TimeUnit.SECONDS);
        Path dir = runDir(cut);
        int rowsAtKill = MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV)).size();
        List<StateFiles.Saved> states = StateFiles.list(dir, algorithm);
        assertEquals(2, states.size(), where + ": " + states);
        long newest = states.get(1).round();
        long before = states.get(0).round();
        assertTrue(newest >= 2 * EVERY && newest <= rowsAtKill && before >= EVERY && before < newest, where + ": " + states);
        Path copy = tmp.resolve("copy");
        copyTree(dir, copy);

        ProcessConsole resumed = resume(dir);
        assertTrue(resumed.text().contains("from its saved state of round " + newest), resumed.text());
        assertEquals(newest, resumed.firstRound(), where + ": the first round the resumed process ran\n" + resumed.text());
        List<MetricsRow> want = repeatable(MetricsFiles.readCsv(runDir(whole).resolve(MetricsFiles.CSV)));
        assertSameRun(where, want, reference, dir, resumed);

        // the newest state damaged (cut in half): the one before it
        Path damaged = copy.resolve("resume").resolve(states.get(1).file().getFileName());
        byte[] bytes = Files.readAllBytes(damaged);
        Files.write(damaged, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        ProcessConsole fallback = resume(copy);
        assertTrue(fallback.text().contains(damaged.getFileName() + " does not parse (truncated or damaged): not used"),
                fallback.text());
        assertEquals(before, fallback.firstRound(), where + ": after a damaged state\n" + fallback.text());
        assertSameRun(where + ", damaged newest state", want, reference, copy, fallback);
    }

    private ProcessConsole resume(Path dir) throws Exception {
        ProcessConsole c = ProcessConsole.of(processes.start("resume", false, "resume", dir.toString(), "--progress-every", "1"), null, -1);
        assertEquals(0, c.exit(600), c.text());
        return c;
    }

    private static void assertSameRun(String where, List<MetricsRow> want, ProcessConsole reference, Path dir, ProcessConsole resumed)
            throws IOException {
        List<MetricsRow> got = repeatable(MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV)));
        assertEquals(want.size(), got.size(), where);
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), got.get(i), where + ": row " + i);
        }
        assertEquals(got, repeatable(MetricsFiles.readJsonl(dir.resolve(MetricsFiles.JSONL))), where);
        assertFalse(reference.finalHash().isEmpty(), reference.text());
        assertEquals(reference.finalHash(), resumed.finalHash(), where + ": final model\n" + resumed.text());
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"stoppedBy\" : \"budget.rounds\""));
    }

    private static List<MetricsRow> repeatable(List<MetricsRow> rows) {
        return rows.stream().map(MetricsRow::repeatable).toList();
    }

    private static Path runDir(Path out) throws IOException {
        try (Stream<Path> dirs = Files.list(out)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("quickstart-")).findFirst().orElseThrow();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }
}
