package onebyte.core.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import onebyte.core.input.BadInputException;

/** How a data file is laid out; {@link #infer} tells it from the path when the user did not say. */
public enum DataFormat {
    /** Comma-separated with a header row and RFC 4180 quotes. */
    CSV,
    /** Tab-separated with a header row, no quoting (GLUE's SST-2 {@code sentence<TAB>label}). */
    TSV,
    /** One JSON object a line, e.g. {@code {"text": "...", "label": "spam"}}. */
    JSONL,
    /** A directory with one sub-directory per label, one example per file. */
    DIR;

    /** The format named {@code name} (csv, tsv, jsonl, dir), or the one {@code path} implies when name is empty. */
    public static DataFormat of(String name, Path path) {
        if (name != null && !name.isBlank()) return valueOf(name.trim().toUpperCase(Locale.ROOT));
        return infer(path);
    }

    /** A directory is DIR; otherwise by extension: .csv, .tsv/.tab, .jsonl/.ndjson/.json. */
    public static DataFormat infer(Path path) {
        if (Files.isDirectory(path)) return DIR;
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) return CSV;
        if (name.endsWith(".tsv") || name.endsWith(".tab")) return TSV;
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) return JSONL;
        throw BadInputException.at(path, 0, "cannot tell the format from the name (expected .csv, .tsv, .jsonl or a directory); "
                + "set data.format = csv | tsv | jsonl | dir");
    }

    DelimitedTable.Delimiter delimiter() {
        return this == TSV ? DelimitedTable.Delimiter.TAB : DelimitedTable.Delimiter.COMMA;
    }
}
