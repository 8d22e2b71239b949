package onebyte.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import onebyte.core.input.BadInputException;
import onebyte.core.input.Utf8File;

/**
 * Reads labelled text in any {@link DataFormat}: a CSV/TSV file with a text column and a label
 * column (and optionally a group column), a JSONL file whose objects have those fields (a label
 * may be a string, a number or a boolean), or a directory with one sub-directory per label whose
 * every regular file (hidden ones skipped) is one example. Files are strict UTF-8. Errors name the
 * file and line: a row without the text field, an empty text, a line that is not JSON.
 */
public final class LabelledTextFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Column (or JSON field) names; {@code group} is optional: when the file has none, every group is "". */
    public record Columns(String text, String label, String group) {}

    private LabelledTextFile() {}

    public static LabelledText read(Path path, DataFormat format, Columns columns) {
        if (!Files.exists(path)) throw BadInputException.at(path, 0, "file not found");
        LabelledText t = switch (format) {
            case CSV, TSV -> delimited(path, format, columns);
            case JSONL -> jsonl(path, columns);
            case DIR -> directory(path);
        };
        ClassLabels.of(t.labels(), path); // a single class fails here, naming the file
        return t;
    }

    private static LabelledText delimited(Path file, DataFormat format, Columns columns) {
        DelimitedTable table = DelimitedTable.read(file, format.delimiter());
        int ti = table.column(columns.text(), "text");
        int li = table.column(columns.label(), "label");
        int gi = table.header().indexOf(columns.group());
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        for (int r = 0; r < table.rows().size(); r++) {
            String[] row = table.rows().get(r);
            texts.add(nonEmpty(row[ti], file, table.lines()[r], columns.text()));
            labels.add(nonEmpty(row[li], file, table.lines()[r], columns.label()));
            groups.add(gi < 0 ? "" : row[gi]);
        }
        return new LabelledText(file.toString(), texts, labels, groups);
    }

    private static LabelledText jsonl(Path file, Columns columns) {
        String[] lines = Utf8File.read(file).split("\n", -1);
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            int line = i + 1;
            JsonNode o;
            try {
                o = JSON.readTree(lines[i]);
            } catch (IOException e) {
                throw BadInputException.at(file, line, "not a JSON object: " + firstLine(e.getMessage()));
            }
            if (o == null || !o.isObject()) throw BadInputException.at(file, line, "expected a JSON object {\"" + columns.text()
                    + "\": ..., \"" + columns.label() + "\": ...}");
            texts.add(nonEmpty(field(o, columns.text(), file, line), file, line, columns.text()));
            labels.add(nonEmpty(field(o, columns.label(), file, line), file, line, columns.label()));
            JsonNode g = o.get(columns.group());
            groups.add(g == null || g.isNull() ? "" : g.asText());
        }
        if (texts.isEmpty()) throw BadInputException.at(file, 0, "no JSON lines in the file");
        return new LabelledText(file.toString(), texts, labels, groups);
    }

    private static LabelledText directory(Path dir) {
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        for (Path labelDir : sorted(dir)) {
            if (!Files.isDirectory(labelDir)) continue;
            String label = labelDir.getFileName().toString();
            for (Path f : sorted(labelDir)) {
                if (!Files.isRegularFile(f)) continue;
                String text = Utf8File.decode(f, Utf8File.bytes(f)).strip();
                if (text.isEmpty()) throw BadInputException.at(f, 0, "the example is empty");
                texts.add(text);
                labels.add(label);
                groups.add("");
            }
        }
        if (texts.isEmpty()) {
            throw BadInputException.at(dir, 0, "no examples: expected one sub-directory per label, each holding one text file per example");
        }
        return new LabelledText(dir.toString(), texts, labels, groups);
    }

    private static List<Path> sorted(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw BadInputException.at(dir, 0, "cannot list the directory: " + e.getMessage());
        }
    }

    private static String field(JsonNode o, String name, Path file, int line) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) throw BadInputException.at(file, line, "no \"" + name + "\" field; the object has " + fieldNames(o));
        if (v.isContainerNode()) throw BadInputException.at(file, line, "\"" + name + "\" is " + v.getNodeType().name().toLowerCase()
                + ", expected a string");
        return v.asText();
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String nonEmpty(String v, Path file, int line, String column) {
        if (v.isBlank()) throw BadInputException.at(file, line, "empty " + column);
        return v;
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
    }
}
