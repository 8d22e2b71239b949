package onebyte.coordinator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The metrics files of one run directory: writing both formats at once ({@link #open}) and
 * reading them back ({@link #readCsv}, {@link #readJsonl}) for reports and tests.
 */
public final class MetricsFiles {
    public static final String CSV = "metrics.csv";
    public static final String JSONL = "metrics.jsonl";

    private MetricsFiles() {}

    /** A sink writing metrics.csv and metrics.jsonl in {@code runDir}, flushed every row. */
    public static MetricsSink open(Path runDir) {
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + runDir, e);
        }
        MetricsSink csv = new CsvMetricsSink(runDir.resolve(CSV));
        MetricsSink jsonl = new JsonlMetricsSink(runDir.resolve(JSONL));
        return new MetricsSink() {
            @Override
            public void write(MetricsRow row) {
                csv.write(row);
                jsonl.write(row);
            }

            @Override
            public void close() {
                try {
                    csv.close();
                } finally {
                    jsonl.close();
                }
            }
        };
    }

    /** Parses metrics.csv; a malformed line fails with file:line and what was expected. */
    public static List<MetricsRow> readCsv(Path file) {
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        List<MetricsRow> rows = new ArrayList<>();
        try (MappingIterator<Map<String, String>> it =
                mapper.readerForMapOf(String.class).with(schema).readValues(file.toFile())) {
            long line = 1; // the header; our writer never puts a line break inside a cell
            while (it.hasNext()) {
                Map<String, String> cells = it.next();
                line++;
                if (!cells.keySet().containsAll(Arrays.asList(MetricsRow.COLUMNS))) {
                    throw new IllegalArgumentException(file + ":1: expected the columns " + String.join(",", MetricsRow.COLUMNS));
                }
                rows.add(decode(file, line, k -> cells.getOrDefault(k, "")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return rows;
    }

    /** Parses metrics.jsonl. */
    public static List<MetricsRow> readJsonl(Path file) {
        ObjectMapper json = new ObjectMapper();
        List<MetricsRow> rows = new ArrayList<>();
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode o;
                try {
                    o = json.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": expected a JSON object: " + e.getMessage(), e);
                }
                rows.add(decode(file, lineNo, k -> o.path(k).isNull() || o.path(k).isMissingNode() ? "" : o.path(k).asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return rows;
    }

    /** One row from its cells by column name; an empty cell is "not measured" (NaN / null). */
    private static MetricsRow decode(Path file, long line, Function<String, String> cell) {
        String column = "";
        try {
            column = "round";
            long round = Long.parseLong(cell.apply("round"));
            return new MetricsRow(cell.apply("run_id"), cell.apply("algorithm"), round,
                    dbl(cell, column = "virtual_time_s"), dbl(cell, column = "wall_time_s"),
                    Integer.parseInt(cell.apply(column = "members")), Integer.parseInt(cell.apply(column = "planned")),
                    Integer.parseInt(cell.apply(column = "contributed")), Integer.parseInt(cell.apply(column = "joined")),
                    Integer.parseInt(cell.apply(column = "left")), Integer.parseInt(cell.apply(column = "crashed")),
                    dbl(cell, column = "train_loss"), dbl(cell, column = "eval_loss"), dbl(cell, column = "eval_accuracy"),
                    Long.parseLong(cell.apply(column = "bytes_up")), Long.parseLong(cell.apply(column = "bytes_down")),
                    Long.parseLong(cell.apply(column = "bytes_cum")), Long.parseLong(cell.apply(column = "forward_passes_cum")),
                    cell.apply(column = "replicas_agree").isEmpty() ? null : Boolean.valueOf(cell.apply(column)),
                    dbl(cell, column = "lr"), Long.parseLong(cell.apply(column = "seed")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ":" + line + ": column " + column + ": expected a number, got '"
                    + cell.apply(column) + "'", e);
        }
    }

    private static double dbl(Function<String, String> cell, String column) {
        String s = cell.apply(column);
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
