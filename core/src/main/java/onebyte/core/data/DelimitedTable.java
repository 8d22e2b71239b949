package onebyte.core.data;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import onebyte.core.input.BadInputException;
import onebyte.core.input.Utf8File;

/**
 * A delimited text file with a header row: CSV (',' with RFC 4180 double quotes, so a cell may
 * hold commas, quotes and line breaks) or TSV (tab, no quoting, as GLUE's SST-2
 * {@code sentence<TAB>label}). Blank lines are skipped, header names and cells are trimmed. Every
 * row must have as many cells as the header; errors name the file and the row's 1-based line.
 */
public record DelimitedTable(Path file, List<String> header, List<String[]> rows, int[] lines) {
    /** The column separators this reads. */
    public enum Delimiter { COMMA, TAB }

    public static DelimitedTable read(Path file, Delimiter delimiter) {
        String text = Utf8File.read(file);
        CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(delimiter == Delimiter.TAB ? '\t' : ',');
        if (delimiter == Delimiter.TAB) schema = schema.withoutQuoteChar().withoutEscapeChar();
        CsvMapper mapper = new CsvMapper();
        List<String> header = null;
        List<String[]> rows = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int line = 0;
        try (CsvParser p = (CsvParser) mapper.getFactory().createParser(text)) {
            p.enable(CsvParser.Feature.WRAP_AS_ARRAY);
            p.setSchema(schema);
            List<String> cells = new ArrayList<>();
            int depth = 0; // 1 inside the stream's wrapping array, 2 inside a row
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.START_ARRAY && ++depth == 2) {
                    cells.clear();
                } else if (t == JsonToken.VALUE_STRING && depth == 2) {
                    if (cells.isEmpty()) line = p.currentTokenLocation().getLineNr(); // the row's first cell: where it starts
                    cells.add(p.getText().trim());
                } else if (t == JsonToken.END_ARRAY && depth-- == 2) {
                    if (cells.isEmpty() || cells.size() == 1 && cells.get(0).isEmpty()) continue;
                    if (header == null) {
                        header = List.copyOf(cells);
                        continue;
                    }
                    if (cells.size() != header.size()) {
                        throw BadInputException.at(file, line, "expected " + header.size() + " columns (as the header "
                                + header + "), got " + cells.size());
                    }
                    rows.add(cells.toArray(String[]::new));
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            throw BadInputException.at(file, line + 1, "not " + (delimiter == Delimiter.TAB ? "TSV" : "CSV") + ": "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (header == null) throw BadInputException.at(file, 0, "the file is empty (no header row)");
        if (rows.isEmpty()) throw BadInputException.at(file, 0, "no data rows after the header");
        return new DelimitedTable(file, header, rows, lines.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The index of column {@code name}; an unknown name fails naming the header. */
    public int column(String name, String role) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw BadInputException.at(file, 1, "no " + role + " column '" + name + "' in the header " + header
                    + (header.size() == 1 ? " (one column only: is the delimiter right?)" : ""));
        }
        return i;
    }

    @Override
    public String toString() {
        return file + " " + header + " (" + rows.size() + " rows)";
    }
}
