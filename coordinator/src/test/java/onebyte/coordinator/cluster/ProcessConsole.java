package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The console of a {@code onebyte} process started by a test, read as it comes. {@link #reached}
 * opens at the progress line of one round (of one algorithm's section, or of any when that is
 * null); the process tests kill or wait on it and read back its rounds and final hashes.
 */
record ProcessConsole(Process process, List<String> lines, CountDownLatch reached, Thread reader) {
    private static final Pattern HEADER = Pattern.compile("^== (\\S+): .*");
    private static final Pattern ROUND = Pattern.compile("^round +(\\d+) .*");
    private static final Pattern DONE = Pattern.compile("^done: .*final θ ([0-9a-f]+)$");

    static ProcessConsole of(Process p, String algorithm, int round) {
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
                    if ((algorithm == null || algorithm.equals(current)) && line.startsWith(mark)) {
                        reached.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        t.start();
        return new ProcessConsole(p, lines, reached, t);
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

    /** The round of its first progress line (-1 if none). */
    long firstRound() {
        synchronized (lines) {
            for (String line : lines) {
                Matcher m = ROUND.matcher(line);
                if (m.matches()) {
                    return Long.parseLong(m.group(1));
                }
            }
        }
        return -1;
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

    /** The final model hash of its first algorithm ("" if it printed none). */
    String finalHash() {
        return finalHashes().values().stream().findFirst().orElse("");
    }
}
