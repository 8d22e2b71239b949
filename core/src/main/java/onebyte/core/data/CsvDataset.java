package onebyte.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a classification dataset from CSV: a header row, one named label column, every other
 * column a numeric feature. Separator ',' (no quoting); blank lines are skipped; cells are trimmed.
 * Labels are class names (any text); classes are numbered 0.. in order of first appearance, or,
 * when every label is a non-negative integer, by that integer.
 *
 * <p>Errors name the file and 1-based line: {@code data.csv:7: expected 5 columns, got 4} and
 * {@code data.csv:9: column 'age': 'abc' is not a number}.
 */
public final class CsvDataset {
    private final InMemoryDataset data;
    private final List<String> featureNames;
    private final List<String> classNames;

    private CsvDataset(InMemoryDataset data, List<String> featureNames, List<String> classNames) {
        this.data = data;
        this.featureNames = featureNames;
        this.classNames = classNames;
    }

    public InMemoryDataset dataset() {
        return data;
    }

    public List<String> featureNames() {
        return featureNames;
    }

    /** Class c's label text. */
    public List<String> classNames() {
        return classNames;
    }

    public static CsvDataset load(Path file, String labelColumn) throws IOException {
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNos = new ArrayList<>();
        String[] header = null;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] cells = line.split(",", -1);
                for (int i = 0; i < cells.length; i++) cells[i] = cells[i].trim();
                if (header == null) {
                    header = cells;
                    continue;
                }
                if (cells.length != header.length) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": expected " + header.length + " columns, got " + cells.length);
                }
                rows.add(cells);
                lineNos.add(lineNo);
            }
        }
        if (header == null) throw new IllegalArgumentException(file + ": empty file (no header)");
        int labelIdx = Arrays.asList(header).indexOf(labelColumn);
        if (labelIdx < 0) {
            throw new IllegalArgumentException(file + ":1: no label column '" + labelColumn + "' in header " + Arrays.toString(header));
        }
        if (rows.isEmpty()) throw new IllegalArgumentException(file + ": no data rows");
        int f = header.length - 1;
        List<String> featureNames = new ArrayList<>();
        for (int c = 0; c < header.length; c++) if (c != labelIdx) featureNames.add(header[c]);
        boolean integerLabels = rows.stream().allMatch(row -> row[labelIdx].matches("\\d{1,9}"));
        Map<String, Integer> classes = new LinkedHashMap<>();
        float[] x = new float[rows.size() * f];
        float[] y = new float[rows.size()];
        int maxLabel = -1;
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            int k = 0;
            for (int c = 0; c < row.length; c++) {
                if (c == labelIdx) continue;
                try {
                    float v = Float.parseFloat(row[c]);
                    if (!Float.isFinite(v)) throw new NumberFormatException();
                    x[i * f + k++] = v;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + ":" + lineNos.get(i) + ": column '" + header[c] + "': '" + row[c] + "' is not a number");
                }
            }
            String label = row[labelIdx];
            if (label.isEmpty()) throw new IllegalArgumentException(file + ":" + lineNos.get(i) + ": empty label in column '" + labelColumn + "'");
            int cls = integerLabels ? Integer.parseInt(label) : classes.computeIfAbsent(label, s -> classes.size());
            maxLabel = Math.max(maxLabel, cls);
            y[i] = cls;
        }
        List<String> classNames = new ArrayList<>();
        if (integerLabels) {
            for (int c = 0; c <= maxLabel; c++) classNames.add(Integer.toString(c));
        } else {
            classNames.addAll(classes.keySet());
        }
        if (f == 0) throw new IllegalArgumentException(file + ": no feature columns besides '" + labelColumn + "'");
        return new CsvDataset(new InMemoryDataset(f, x, 1, y, classNames.size()), List.copyOf(featureNames), List.copyOf(classNames));
    }
}
