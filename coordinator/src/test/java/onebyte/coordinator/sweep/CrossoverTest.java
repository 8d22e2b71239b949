package onebyte.coordinator.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import onebyte.coordinator.metrics.RunSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep's crossover, table and outputs from known per-point results. */
class CrossoverTest {
    @TempDir Path dir;

    private static RunSummary.AlgorithmSummary alg(String name, Long bytesToTarget, long bytesTotal, String stoppedBy) {
        return new RunSummary.AlgorithmSummary(name, 100, 0.9, 50L, 0.9, 0.1, bytesTotal / 2, bytesTotal / 2, bytesTotal, 1, 1, 10,
                bytesToTarget == null ? null : 40L, bytesToTarget, null, null, null, null, 0, 0, 0, true, stoppedBy);
    }

    private static SweepPoint point(int i, long d, Long spsa, Long fed) {
        RunSummary s = new RunSummary("p" + i, 0.9, null, null, List.of(alg("spsa", spsa, 5_000, "budget.rounds"),
                alg("fedspeed", fed, 9_000_000, "budget.bytes")), null, null);
        return new SweepPoint(i, List.of("model.hidden=[" + i + "]"), d, Path.of("p" + i), s);
    }

    @Test
    void interpolatesTheCrossingOnTheLogLogLine() {
        // ratio spsa/fed: 10 at d = 1,000, 0.1 at d = 100,000 → 1 at d = 10,000
        List<SweepPoint> points = List.of(point(2, 100_000, 1_000L, 10_000L), point(1, 1_000, 10_000L, 1_000L));
        Crossover c = Crossover.of(points, "spsa", "fedspeed");
        assertEquals(1_000, c.from());
        assertEquals(100_000, c.to());
        assertEquals(10_000, c.at(), 1e-6);
        assertTrue(c.sentence().contains("at d ≈ 10,000"), c.sentence());
    }

    @Test
    void aPointNotReachedIsReportedNotDropped() throws Exception {
        // fedspeed did not reach the target at the largest d: SPSA needs fewer there, but the crossing cannot be interpolated
        List<SweepPoint> points = List.of(point(1, 1_000, 10_000L, 1_000L), point(2, 4_000_000, 2_000L, null));
        Crossover c = Crossover.of(points, "spsa", "fedspeed");
        assertTrue(Double.isNaN(c.at()));
        assertTrue(c.sentence().contains("between d = 1,000 and d = 4,000,000"), c.sentence());
        SweepReport r = new SweepReport("w", 0.9, points);
        assertTrue(r.table().contains("not reached: 9.00 MB, budget.bytes"), r.table());
        r.write(dir);
        List<String> csv = Files.readAllLines(dir.resolve(SweepReport.CSV));
        assertEquals(5, csv.size());
        assertTrue(csv.get(4).startsWith("2,4000000,fedspeed,0.9,false,,,"), csv.get(4));
        assertTrue(Files.size(dir.resolve(SweepReport.PLOT)) > 1000);
        // SPSA never fewer / always fewer
        assertTrue(Crossover.of(List.of(point(1, 1_000, 10_000L, 1_000L)), "spsa", "fedspeed").sentence().contains("no crossover"));
        assertTrue(Crossover.of(List.of(point(1, 1_000, 10L, 1_000L)), "spsa", "fedspeed").sentence().contains("below it"));
    }
}
