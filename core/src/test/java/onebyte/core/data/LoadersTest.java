package onebyte.core.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadersTest {
    @TempDir Path dir;

    private Path csv(String text) throws Exception {
        Path f = dir.resolve("data.csv");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void csvWithNamedLabelColumn() throws Exception {
        CsvDataset d = CsvDataset.load(csv("a,species,b\n1.5,cat,2\n\n-3,dog,4e1\n0,cat,0\n"), "species");
        assertEquals(List.of("a", "b"), d.featureNames());
        assertEquals(List.of("cat", "dog"), d.classNames());
        assertEquals(3, d.dataset().size());
        assertArrayEquals(new float[] {-3f, 40f}, d.dataset().inputs(1));
        assertEquals(1, d.dataset().label(1));
        assertEquals(0, d.dataset().label(2));
    }

    @Test
    void csvIntegerLabelsKeepTheirValue() throws Exception {
        CsvDataset d = CsvDataset.load(csv("x,y\n1,2\n2,0\n"), "y");
        assertEquals(3, d.dataset().numClasses());
        assertEquals(2, d.dataset().label(0));
    }

    @Test
    void csvRaggedRowNamesFileAndLine() throws Exception {
        var e = assertThrows(onebyte.core.input.BadInputException.class, () -> CsvDataset.load(csv("a,b,y\n1,2,0\n1,2\n"), "y"));
        assertTrue(e.getMessage().endsWith("data.csv:3: expected 3 columns (as the header [a, b, y]), got 2"), e.getMessage());
    }

    @Test
    void csvNonNumericCellNamesTheColumn() throws Exception {
        var e = assertThrows(onebyte.core.input.BadInputException.class, () -> CsvDataset.load(csv("age,y\n1,0\nabc,1\n"), "y"));
        assertTrue(e.getMessage().endsWith("data.csv:3: column 'age': 'abc' is not a number"), e.getMessage());
    }

    @Test
    void csvMissingLabelColumn() throws Exception {
        var e = assertThrows(onebyte.core.input.BadInputException.class, () -> CsvDataset.load(csv("a,b\n1,2\n"), "label"));
        assertTrue(e.getMessage().contains("no label column 'label'"), e.getMessage());
    }

    @Test
    void textWindowsAreNextByteTargets() throws Exception {
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("b.txt");
        Files.writeString(a, "hello");
        Files.writeString(b, "world");
        InMemoryDataset d = TextDataset.fromFiles(List.of(a, b), 4, 2);
        // "hello\nworld" = 11 bytes; windows start at 0,2,4,6 (start + 5 ≤ 11)
        assertEquals(4, d.size());
        var batch = d.batch(new int[] {1});
        assertEquals('l', batch.inputs().getInt(0, 0));
        assertEquals('\n', batch.inputs().getInt(0, 3));
        assertEquals('w', batch.labels().getInt(0, 3));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> TextDataset.fromFiles(List.of(dir.resolve("x.txt")), 4, 1));
        assertThrows(IllegalArgumentException.class, () -> TextDataset.windows("abc".getBytes(StandardCharsets.US_ASCII), 4, 1));
    }

    @Test
    void syntheticTextIsSeededAndShifted() {
        SyntheticText t = new SyntheticText(1.0, 3);
        byte[] s1 = t.generate(SyntheticText.Domain.SOURCE, 2000, 1);
        assertArrayEquals(s1, new SyntheticText(1.0, 3).generate(SyntheticText.Domain.SOURCE, 2000, 1));
        byte[] tg = t.generate(SyntheticText.Domain.TARGET, 2000, 1);
        assertFalse(java.util.Arrays.equals(s1, tg));
        assertArrayEquals(s1, new SyntheticText(0.0, 3).generate(SyntheticText.Domain.TARGET, 2000, 1));
        for (byte x : tg) assertTrue(new String(SyntheticText.ALPHABET, StandardCharsets.US_ASCII).indexOf(x) >= 0);
        // the two languages differ in their bigram statistics
        assertTrue(bigramDistance(s1, tg) > 0.5, "bigram L1 distance " + bigramDistance(s1, tg));
        InMemoryDataset w = t.sourceTrain(10, 16, 5);
        assertEquals(10, w.size());
        assertEquals(16, w.inputWidth());
    }

    private static double bigramDistance(byte[] a, byte[] b) {
        double[] ca = new double[65536];
        double[] cb = new double[65536];
        for (int i = 1; i < a.length; i++) ca[(a[i - 1] & 0xFF) * 256 + (a[i] & 0xFF)] += 1.0 / (a.length - 1);
        for (int i = 1; i < b.length; i++) cb[(b[i - 1] & 0xFF) * 256 + (b[i] & 0xFF)] += 1.0 / (b.length - 1);
        double d = 0;
        for (int i = 0; i < ca.length; i++) d += Math.abs(ca[i] - cb[i]);
        return d;
    }
}
