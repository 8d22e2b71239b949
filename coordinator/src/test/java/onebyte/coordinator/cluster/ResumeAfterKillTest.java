package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run of spsa and then fedspeed (the quickstart task, a join and a crash on the virtual clock)
 * three times as real {@code onebyte} processes: once to its end; once killed with kill -9 at a
 * random round of a randomly chosen one of the two algorithms (the seed is printed), then
 * {@code onebyte resume}d. The resumed run directory holds the same rows as the uninterrupted one
 * but run id and wall time, and every algorithm ends on the same final model hash.
 */
class ResumeAfterKillTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final CliProcesses processes = new CliProcesses();

    private String[] runArgs(Path out) {
        return new String[] {"run", "../scenarios/quickstart.conf", "--set", "run.algorithms=[spsa,fedspeed]",
            "--set", "budget.rounds=80", "--set", "eval.every=20", "--set", "fedspeed.local-steps=2",
            "--set", "churn.events=[{at=0.5s,action=join,sync=snapshot},{at=1s,action=crash,node=2}]",
            "--set", "run.output-dir=\"" + out + "\"", "--progress-every", "1"};
    }

    @Test
    void aRunKilledAtARandomRoundAndResumedHasTheRowsAndModelsOfTheRunThatWentThrough() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String victim = random.nextBoolean() ? "spsa" : "fedspeed";
        int killAt = 3 + random.nextInt(75);
        String where = "kill -9 at " + victim + " round " + killAt + " (seed " + seed + ")";
        System.out.println("ResumeAfterKillTest: " + where);

        Path whole = tmp.resolve("whole"); // both output directories of one length: Admit carries the checkpoint path
        ProcessConsole reference = ProcessConsole.of(processes.start("whole", false, runArgs(whole)), null, -1);
        assertEquals(0, reference.exit(600), reference.text());

        Path cut = tmp.resolve("cut-a");
        ProcessConsole killed = ProcessConsole.of(processes.start("cut", false, runArgs(cut)), victim, killAt);
        assertTrue(killed.reached().await(300, TimeUnit.SECONDS), where + ": never reached:\n" + killed.text());
        Process process = killed.process();
        assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start().waitFor());
        process.waitFor(60, TimeUnit.SECONDS);
        Path dir = runDir(cut);
        int rowsAtKill = MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV)).size();

        ProcessConsole resumed = ProcessConsole.of(processes.start("resume", false, "resume", dir.toString(), "--progress-every", "1"), null, -1);
        assertEquals(0, resumed.exit(600), where + ":\n" + resumed.text());
        assertTrue(resumed.text().contains("resuming " + dir.toAbsolutePath() + ": " + victim + " from round "), resumed.text());

        List<MetricsRow> want = repeatable(MetricsFiles.readCsv(runDir(whole).resolve(MetricsFiles.CSV)));
        List<MetricsRow> got = repeatable(MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV)));
        assertEquals(want.size(), got.size(), where + " (" + rowsAtKill + " rows at the kill)");
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), got.get(i), where + ": row " + i);
        }
        assertEquals(got, repeatable(MetricsFiles.readJsonl(dir.resolve(MetricsFiles.JSONL))), where);
        Map<String, String> finalHashes = resumed.finalHashes();
        assertTrue(finalHashes.containsKey(victim), resumed.text());
        finalHashes.forEach((algorithm, hash) -> assertEquals(reference.finalHashes().get(algorithm), hash,
                where + ": final model of " + algorithm));
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
}
