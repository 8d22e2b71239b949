package onebyte.core.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import onebyte.core.input.BadInputException;

/**
 * A tabular classification file: a header row, one named label column, every other column a
 * numeric feature (CSV or TSV, see {@link DelimitedTable}). Labels are any text; {@link ClassLabels}
 * maps them to classes. Errors name the file and 1-based line, e.g.
 * {@code data.csv:7: expected 5 columns (as the header [..]), got 4} and
 * {@code data.csv:9: column 'age': 'abc' is not a number}.
 */
public final class CsvDataset {
    private final Path file;
    private final List<String> featureNames;
    private final float[] features;
    private final List<String> labels;

    private CsvDataset(Path file, List<String> featureNames, float[] features, List<String> labels) {
        this.file = file;
        this.featureNames = featureNames;
        this.features = features;
        this.labels = labels;
    }

    /** Reads a CSV file; its classes are its own labels' ({@link #classNames}). */
    public static CsvDataset load(Path file, String labelColumn) {
        return read(file, DataFormat.CSV, labelColumn);
    }

    public static CsvDataset read(Path file, DataFormat format, String labelColumn) {
        if (format != DataFormat.CSV && format != DataFormat.TSV) {
            throw BadInputException.at(file, 0, "tabular data must be csv or tsv, got " + format.name().toLowerCase());
        }
        DelimitedTable table = DelimitedTable.read(file, format.delimiter());
        int labelIdx = table.column(labelColumn, "label");
        List<String> header = table.header();
        int f = header.size() - 1;
        if (f == 0) throw BadInputException.at(file, 1, "no feature columns besides the label column '" + labelColumn + "'");
        List<String> featureNames = new ArrayList<>(header);
        featureNames.remove(labelIdx);
        float[] x = new float[table.rows().size() * f];
        List<String> labels = new ArrayList<>(table.rows().size());
        for (int i = 0; i < table.rows().size(); i++) {
            String[] row = table.rows().get(i);
            int line = table.lines()[i];
            int k = 0;
            for (int c = 0; c < row.length; c++) {
                if (c == labelIdx) continue;
                try {
                    float v = Float.parseFloat(row[c]);
                    if (!Float.isFinite(v)) throw new NumberFormatException();
                    x[i * f + k++] = v;
                } catch (NumberFormatException e) {
                    throw BadInputException.at(file, line, "column '" + header.get(c) + "': '" + row[c] + "' is not a number");
                }
            }
            if (row[labelIdx].isEmpty()) throw BadInputException.at(file, line, "empty label in column '" + labelColumn + "'");
            labels.add(row[labelIdx]);
        }
        ClassLabels.of(labels, file); // a single class fails here, naming the file
        return new CsvDataset(file, List.copyOf(featureNames), x, List.copyOf(labels));
    }

    public Path file() {
        return file;
    }

    public int size() {
        return labels.size();
    }

    public List<String> featureNames() {
        return featureNames;
    }

    /** Each row's label text. */
    public List<String> labels() {
        return labels;
    }

    /** The mapping of this file's own labels. */
    public ClassLabels classes() {
        return ClassLabels.of(labels, file);
    }

    /** Class c's label text (this file's own mapping). */
    public List<String> classNames() {
        return classes().names();
    }

    /** The features of the rows at these indices, row after row ({@code featureNames().size()} floats each). */
    public float[] features(int[] rows) {
        int f = featureNames.size();
        float[] out = new float[rows.length * f];
        for (int j = 0; j < rows.length; j++) System.arraycopy(features, rows[j] * f, out, j * f, f);
        return out;
    }

    /** The rows with this file's own class mapping. */
    public InMemoryDataset dataset() {
        return dataset(classes());
    }

    /** The rows with classes from {@code classes} (e.g. built over this file and a source file). */
    public InMemoryDataset dataset(ClassLabels classes) {
        int[] c = classes.indices(labels, file);
        float[] y = new float[c.length];
        for (int i = 0; i < c.length; i++) y[i] = c[i];
        return new InMemoryDataset(featureNames.size(), features.clone(), 1, y, classes.size());
    }
}
