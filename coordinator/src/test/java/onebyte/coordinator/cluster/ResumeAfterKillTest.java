package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern HEADER = Pattern.compile("^== (\\S+): .*");
    private static final Pattern DONE = Pattern.compile("^done: .*final θ ([0-9a-f]+)$");

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
        Console reference = Console.of(processes.start("whole", false, runArgs(whole)), null, -1);
        assertEquals(0, reference.exit(600), reference.text());

        Path cut = tmp.resolve("cut-a");
        Console killed = Console.of(processes.start("cut", false, runArgs(cut)), victim, killAt);
        assertTrue(killed.reached.await(300, TimeUnit.SECONDS), where + ": never reached:\n" + killed.text());
        Process process = killed.process;
        assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start().waitFor());
        process.waitFor(60, TimeUnit.SECONDS);
        Path dir = runDir(cut);
        int rowsAtKill = MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV)).size();

        Console resumed = Console.of(processes.start("resume", false, "resume", dir.toString(), "--progress-every", "1"), null, -1);
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

    /** A process's console, read as it comes; {@code reached} opens at round {@code round} of {@code algorithm}. */
    private record Console(Process process, List<String> lines, CountDownLatch reached, Thread reader) {
        static Console of(Process p, String algorithm, int round) {
            List<String> lines = new ArrayList<>();
            CountDownLatch reached = new CountDownLatch(1);
            String mark = String.format(java.util.Locale.ROOT, "round %5d ", round);
            Thread t = new Thread(() -> {
                String current = null;
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (lines) {
                            lines.add(line);
                        }
                        Matcher h = HEADER.matcher(line);
                        if (h.matches()) {
                            current = h.group(1);
                        }
                        if (algorithm != null && algorithm.equals(current) && line.startsWith(mark)) {
                            reached.countDown();
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            t.start();
            return new Console(p, lines, reached, t);
        }

        int exit(int seconds) throws InterruptedException {
            assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), "still running after " + seconds + " s:\n" + text());
            reader.join(10_000);
            return process.exitValue();
        }

        String text() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }

        /** The final model hash of each algorithm the process ran, from its "done:" lines. */
        Map<String, String> finalHashes() {
            Map<String, String> out = new LinkedHashMap<>();
            String current = null;
            synchronized (lines) {
                for (String line : lines) {
                    Matcher h = HEADER.matcher(line);
                    if (h.matches()) {
                        current = h.group(1);
                    }
                    Matcher d = DONE.matcher(line);
                    if (d.matches()) {
                        out.put(current, d.group(1));
                    }
                }
            }
            return out;
        }
    }
}
