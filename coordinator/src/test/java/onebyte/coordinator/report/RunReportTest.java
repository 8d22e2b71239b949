package onebyte.coordinator.report;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.coordinator.metrics.MetricsFilesTest;
import onebyte.coordinator.metrics.RunSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
    @Test
    void rendersSizedPlotsWithSeveralSeriesAndAnHtmlPage(@TempDir Path dir) throws Exception {
        try (MetricsSink sink = MetricsFiles.open(dir)) {
            MetricsFilesTest.sampleRows().forEach(sink::write);
        }
        RunReport.render(dir, null);
        String page = Files.readString(dir.resolve(RunReport.HTML));
        for (String png : RunReport.PLOTS) {
            Path p = dir.resolve(png);
            assertTrue(Files.size(p) > 10_000, png + " is suspiciously small: " + Files.size(p));
            BufferedImage img = ImageIO.read(p.toFile());
            assertEquals(RunReport.WIDTH, img.getWidth());
            assertEquals(RunReport.HEIGHT, img.getHeight());
            assertTrue(distinctColours(img) > 20, png + " looks blank");
            assertTrue(page.contains(png));
        }
        assertTrue(page.contains("fedspeed") && page.contains("spsa"));
        assertTrue(Files.size(dir.resolve("summary.json")) > 100);
    }

    @Test
    void theSummaryNamesWhatStoppedEachAlgorithmAndTheClockCostsFromTheRunsScenario(@TempDir Path dir) throws Exception {
        try (MetricsSink sink = MetricsFiles.open(dir)) {
            MetricsFilesTest.sampleRows().forEach(sink::write);
        }
        Files.writeString(dir.resolve(RunDirectory.SCENARIO),
                "budget { rounds = 1000, virtual-seconds = 0, bytes = 0 }\n"
                        + "clock { costs = measured, forward-us = 41.23, gradient-us = 120.5, element-ns = 2.718 }\n");
        RunSummary killed = RunReport.render(dir, null);
        assertEquals(new RunSummary.Clock("measured", 41.23, 120.5, 2.718), killed.clock());
        assertTrue(killed.algorithms().stream().allMatch(a -> a.stoppedBy().equals(RunSummary.INCOMPLETE)), killed.toString());
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"stoppedBy\" : \"incomplete\""));

        Files.writeString(dir.resolve(RunDirectory.SCENARIO), "budget { rounds = 1000, virtual-seconds = 0, bytes = 1000000 }\n");
        RunSummary bytes = RunReport.render(dir, null);
        assertEquals(RunSummary.INCOMPLETE, bytes.algorithms().get(0).stoppedBy(), "spsa moved far fewer bytes");
        assertEquals("budget.bytes", bytes.algorithms().get(1).stoppedBy());
        assertTrue(bytes.table().lines().anyMatch(l -> l.startsWith("fedspeed") && l.endsWith(" bytes")), bytes.table());

        long rounds = killed.algorithms().get(0).rounds();
        Files.writeString(dir.resolve(RunDirectory.SCENARIO), "budget { rounds = " + rounds + ", virtual-seconds = 0, bytes = 1 }\n");
        RunSummary done = RunReport.render(dir, null);
        assertTrue(done.algorithms().stream().allMatch(a -> a.stoppedBy().equals("budget.rounds")),
                "rounds named first when several budgets are reached: " + done);
    }

    @Test
    void aDirectoryWithoutMetricsIsRejectedClearly(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunReport.render(dir, null));
        assertTrue(e.getMessage().contains("metrics.csv"));
    }

    private static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                seen.add(img.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
