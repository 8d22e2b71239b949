package onebyte.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import onebyte.core.input.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad data file fails with one line naming the file (and line) and what was expected. */
class DataFileErrorsTest {
    @TempDir Path dir;

    private static final LabelledTextFile.Columns COLUMNS = new LabelledTextFile.Columns("text", "label", "group");

    private Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static String message(Runnable r) {
        String m = assertThrows(BadInputException.class, r::run).getMessage();
        assertTrue(!m.contains("\n"), "one line: " + m);
        return m;
    }

    @Test
    void missingAndEmptyFiles() throws Exception {
        assertEquals(dir.resolve("nope.csv") + ": file not found", message(() -> CsvDataset.load(dir.resolve("nope.csv"), "y")));
        Path empty = file("empty.csv", "");
        assertEquals(empty + ": the file is empty", message(() -> CsvDataset.load(empty, "y")));
        Path headerOnly = file("header.csv", "a,y\n\n");
        assertEquals(headerOnly + ": no data rows after the header", message(() -> CsvDataset.load(headerOnly, "y")));
        Path jsonl = file("empty.jsonl", "\n \n");
        assertEquals(jsonl + ": the file is empty", message(() -> LabelledTextFile.read(jsonl, DataFormat.JSONL, COLUMNS)));
    }

    @Test
    void raggedRowNonNumericCellUnknownColumnSingleClass() throws Exception {
        Path ragged = file("r.csv", "a,b,y\n1,2,x\n\n3,4\n");
        assertEquals(ragged + ":4: expected 3 columns (as the header [a, b, y]), got 2", message(() -> CsvDataset.load(ragged, "y")));
        Path nan = file("n.csv", "a,y\n1,x\nzz,y\n");
        assertEquals(nan + ":3: column 'a': 'zz' is not a number", message(() -> CsvDataset.load(nan, "y")));
        Path unknown = file("u.csv", "a,y\n1,x\n");
        assertTrue(message(() -> CsvDataset.load(unknown, "label")).startsWith(unknown + ":1: no label column 'label' in the header [a, y]"));
        Path single = file("s.csv", "a,y\n1,x\n2,x\n");
        assertTrue(message(() -> CsvDataset.load(single, "y")).startsWith(single + ": a classifier needs at least two classes, the labels are only [x]"));
        Path tsv = file("t.tsv", "sentence\tlabel\na fine film\t1\n");
        assertTrue(message(() -> LabelledTextFile.read(tsv, DataFormat.TSV, COLUMNS)).startsWith(tsv + ":1: no text column 'text'"));
    }

    @Test
    void malformedUtf8NamesLineAndOffset() throws Exception {
        Path f = dir.resolve("latin1.tsv");
        Files.write(f, new byte[] {'t', 'e', 'x', 't', '\t', 'l', 'a', 'b', 'e', 'l', '\n', 'c', 'a', 'f', (byte) 0xE9, '\t', '1', '\n'});
        assertEquals(f + ":2: not UTF-8 text (malformed byte 0xE9 at byte offset 14); save the file as UTF-8",
                message(() -> LabelledTextFile.read(f, DataFormat.TSV, COLUMNS)));
    }

    @Test
    void badJsonLines() throws Exception {
        Path notJson = file("a.jsonl", "{\"text\": \"hi\", \"label\": \"x\"}\n{text: oops}\n");
        assertTrue(message(() -> LabelledTextFile.read(notJson, DataFormat.JSONL, COLUMNS)).startsWith(notJson + ":2: not a JSON object"));
        Path noLabel = file("b.jsonl", "{\"text\": \"hi\", \"label\": \"x\"}\n\n{\"text\": \"ho\", \"y\": 1}\n");
        assertEquals(noLabel + ":3: no \"label\" field; the object has [text, y]", message(() -> LabelledTextFile.read(noLabel, DataFormat.JSONL, COLUMNS)));
    }

    @Test
    void formatIsInferredOrNamed() throws Exception {
        assertEquals(DataFormat.TSV, DataFormat.infer(Path.of("train.tsv")));
        assertEquals(DataFormat.JSONL, DataFormat.infer(Path.of("x.jsonl")));
        assertEquals(DataFormat.DIR, DataFormat.infer(dir));
        assertEquals(DataFormat.CSV, DataFormat.of("csv", Path.of("x.txt")));
        assertTrue(message(() -> DataFormat.infer(Path.of("x.txt"))).contains("set data.format = csv | tsv | jsonl | dir"));
    }

    @Test
    void readsEveryTextLayoutWithStringLabels() throws Exception {
        Path csv = file("q.csv", "text,label\n\"a, quoted\n line\",spam\nplain,ham\n");
        LabelledText t = LabelledTextFile.read(csv, DataFormat.CSV, COLUMNS);
        assertEquals(List.of("a, quoted\n line", "plain"), t.texts());
        Path sst = file("sst.tsv", "sentence\tlabel\nit 's a \"charming\" film\t1\ndull\t0\n");
        LabelledText s = LabelledTextFile.read(sst, DataFormat.TSV, new LabelledTextFile.Columns("sentence", "label", "group"));
        assertEquals("it 's a \"charming\" film", s.texts().get(0));
        Path jsonl = file("j.jsonl", "{\"text\": \"x\", \"label\": true, \"group\": \"g1\"}\n{\"text\": \"y\", \"label\": false}\n");
        LabelledText j = LabelledTextFile.read(jsonl, DataFormat.JSONL, COLUMNS);
        assertEquals(List.of("true", "false"), j.labels());
        assertEquals(List.of("g1", ""), j.groups());
        Path root = Files.createDirectories(dir.resolve("mails"));
        Files.createDirectories(root.resolve("spam"));
        Files.createDirectories(root.resolve("ham"));
        Files.writeString(root.resolve("spam/1.txt"), "buy now");
        Files.writeString(root.resolve("ham/1.txt"), "lunch?");
        Files.writeString(root.resolve("ham/.DS_Store"), "junk");
        LabelledText d = LabelledTextFile.read(root, DataFormat.DIR, COLUMNS);
        assertEquals(List.of("lunch?", "buy now"), d.texts());
        assertEquals("ham → 0, spam → 1", ClassLabels.of(d.labels(), root).describe());
    }
}
