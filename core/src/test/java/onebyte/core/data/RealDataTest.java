package onebyte.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The fetched real data sets (scripts/fetch-data.sh) load with the expected sizes, classes and splits. */
class RealDataTest {
    private static final LabelledTextFile.Columns COLUMNS = new LabelledTextFile.Columns("text", "label", "group");

    @Test
    void irisAndWine() {
        CsvDataset iris = CsvDataset.load(FetchedData.path("iris"), "species");
        assertEquals(150, iris.size());
        assertEquals(List.of("petal_length", "petal_width", "sepal_length", "sepal_width").size(), iris.featureNames().size());
        assertEquals("setosa → 0, versicolor → 1, virginica → 2", iris.classes().describe());
        CsvDataset wine = CsvDataset.load(FetchedData.path("wine"), "cultivar");
        assertEquals(178, wine.size());
        assertEquals(13, wine.featureNames().size());
        assertEquals(3, wine.dataset().numClasses());
    }

    @Test
    void wineSourceFractionIsStratifiedAndSeeded() {
        FileTask.Spec spec = new FileTask.Spec(false, FetchedData.path("wine"), DataFormat.CSV,
                new LabelledTextFile.Columns("text", "cultivar", "group"), List.of(), null, List.of(), 0.5, 0.2);
        FileTask a = FileTask.load(spec, null, 7);
        FileTask b = FileTask.load(spec, null, 7);
        assertEquals(178, a.pool().size() + a.eval().size() + a.source().size() + a.sourceEval().size());
        assertEquals(90, a.source().size() + a.sourceEval().size());
        assertArrayEquals(a.pool().inputs(0), b.pool().inputs(0));
        // wine has 59/71/48 examples per class: the source half keeps those proportions (30/36/24 after rounding)
        int[] perClass = new int[3];
        for (InMemoryDataset d : List.of(a.source(), a.sourceEval())) {
            for (int i = 0; i < d.size(); i++) perClass[d.label(i)]++;
        }
        assertArrayEquals(new int[] {30, 36, 24}, perClass);
        // standardised with the source training split's statistics: its feature means are ~0
        double mean = 0;
        for (int i = 0; i < a.source().size(); i++) mean += a.source().inputs(i)[12];
        assertEquals(0, mean / a.source().size(), 1e-4);
    }

    @Test
    void spamAssassinGroupsAndHashedFeatures() {
        Path spam = FetchedData.path("spam-assassin");
        LabelledText all = LabelledTextFile.read(spam, DataFormat.JSONL, COLUMNS);
        Map<String, Integer> groups = new TreeMap<>();
        all.groups().forEach(g -> groups.merge(g, 1, Integer::sum));
        assertEquals(Map.of("easy-ham-1", 2500, "easy-ham-2", 1400, "hard-ham-1", 250, "spam-1", 500, "spam-2", 1396), groups);
        assertTrue(all.texts().stream().noneMatch(t -> t.startsWith("Return-Path:") || t.startsWith("Received:") || t.startsWith("Delivered-To:")), "mail headers stripped");
        FileTask.Spec spec = new FileTask.Spec(true, spam, DataFormat.JSONL, COLUMNS, List.of("hard-ham-1", "easy-ham-2", "spam-2"),
                null, List.of("easy-ham-1", "spam-1"), 0, 0.2);
        FileTask task = FileTask.load(spec, new HashedTextFeatures(1024, 7), 7);
        assertEquals("ham → 0, spam → 1", task.classes().describe());
        assertEquals(3046, task.pool().size() + task.eval().size());
        assertEquals(3000, task.source().size() + task.sourceEval().size());
        assertEquals(1024, task.pool().inputWidth());
        float[] x = task.pool().inputs(0);
        double norm = 0;
        for (float v : x) norm += v * v;
        assertEquals(1, norm, 1e-4);
    }
}
