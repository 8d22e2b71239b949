package onebyte.coordinator.report;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.coordinator.metrics.MetricsFilesTest;
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
