package onebyte.coordinator.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class MetricsFilesTest {
    public static List<MetricsRow> sampleRows() {
        List<MetricsRow> rows = new ArrayList<>();
        long cum = 0;
        for (int r = 0; r < 25; r++) {
            long up = 4 * 9 + r % 3;
            long down = 4 * 40;
            cum += up + down;
            boolean eval = r % 5 == 0;
            rows.add(new MetricsRow("run, \"one\"", "spsa", r, 0.1 * r + 1e-9, 0.02 * r, 4, 4, r == 7 ? 3 : 4,
                    r == 10 ? 1 : 0, 0, r == 7 ? 1 : 0, 0.693 - r * 1e-3, eval ? 0.7 - r * 1e-3 : Double.NaN,
                    eval ? 0.5 + r / 100.0 : Double.NaN, up, down, cum, 8L * (r + 1), true, 1e-3 / 3, 42));
            rows.add(new MetricsRow("run, \"one\"", "fedspeed", r, 0.3 * r, 0.05 * r, 4, 4, 4, 0, 0, 0,
                    Math.PI / (r + 1), eval ? 0.6 : Double.NaN, eval ? 0.6 + r / 50.0 : Double.NaN,
                    1_000_000, 1_000_000, 2_000_000L * (r + 1), 80L * (r + 1), null, 0.1 * Math.pow(0.998, r), 42));
        }
        return rows;
    }

    @Test
    void csvAndJsonlParseBackIntoTheSameNumbers(@TempDir Path dir) {
        List<MetricsRow> rows = sampleRows();
        try (MetricsSink sink = MetricsFiles.open(dir)) {
            rows.forEach(sink::write);
        }
        assertEquals(rows, MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV)));
        assertEquals(rows, MetricsFiles.readJsonl(dir.resolve(MetricsFiles.JSONL)));
    }

    @Test
    void everyRowIsOnDiskBeforeTheSinkIsClosed(@TempDir Path dir) {
        List<MetricsRow> rows = sampleRows();
        MetricsSink sink = MetricsFiles.open(dir); // never closed: as in a killed run
        for (int i = 0; i < 17; i++) {
            sink.write(rows.get(i));
        }
        assertEquals(rows.subList(0, 17), MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV)));
        assertEquals(rows.subList(0, 17), MetricsFiles.readJsonl(dir.resolve(MetricsFiles.JSONL)));
    }

    @Test
    void aBadCellIsReportedWithItsLineAndColumn(@TempDir Path dir) throws Exception {
        try (MetricsSink sink = MetricsFiles.open(dir)) {
            sampleRows().subList(0, 3).forEach(sink::write);
        }
        Path csv = dir.resolve(MetricsFiles.CSV);
        List<String> lines = new ArrayList<>(Files.readAllLines(csv));
        lines.set(2, lines.get(2).replace(",4,4,", ",four,4,"));
        Files.write(csv, lines);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsFiles.readCsv(csv));
        assertTrue(e.getMessage().contains(":3:"), e.getMessage());
        assertTrue(e.getMessage().contains("members"), e.getMessage());
    }

    @Test
    void summaryFindsBestAccuracyAndBytesToTarget() {
        RunSummary s = RunSummary.of("r", sampleRows(), 0.6);
        RunSummary.AlgorithmSummary spsa = s.algorithms().get(0);
        assertEquals("spsa", spsa.algorithm());
        assertEquals(0.70, spsa.bestEvalAccuracy(), 1e-12);
        assertEquals(20L, spsa.bestAccuracyRound());
        assertEquals(10L, spsa.roundToTarget());
        assertEquals(1, spsa.joins());
        assertEquals(1, spsa.crashes());
        assertEquals(Boolean.TRUE, spsa.replicasAlwaysAgreed());
        RunSummary.AlgorithmSummary fed = s.algorithms().get(1);
        assertEquals(0L, fed.roundToTarget());
        assertEquals(2_000_000L, fed.bytesToTarget());
        assertNull(fed.replicasAlwaysAgreed());
        assertTrue(s.table().contains("spsa"));
    }
}
