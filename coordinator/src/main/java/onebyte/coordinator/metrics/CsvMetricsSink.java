package onebyte.coordinator.metrics;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** metrics.csv: a header line, then one line per row, flushed after every row. */
public final class CsvMetricsSink implements MetricsSink {
    private final BufferedWriter out;

    public CsvMetricsSink(Path file) {
        try {
            boolean fresh = !Files.exists(file) || Files.size(file) == 0;
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (fresh) {
                out.write(String.join(",", MetricsRow.COLUMNS));
                out.newLine();
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    @Override
    public void write(MetricsRow row) {
        try {
            out.write(format(row));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics row", e);
        }
    }

    static String format(MetricsRow r) {
        return String.join(",",
                quote(r.runId()), quote(r.algorithm()), Long.toString(r.round()),
                num(r.virtualTimeS()), num(r.wallTimeS()),
                Integer.toString(r.members()), Integer.toString(r.planned()), Integer.toString(r.contributed()),
                Integer.toString(r.joined()), Integer.toString(r.left()), Integer.toString(r.crashed()),
                num(r.trainLoss()), num(r.evalLoss()), num(r.evalAccuracy()),
                Long.toString(r.bytesUp()), Long.toString(r.bytesDown()), Long.toString(r.bytesCum()),
                Long.toString(r.forwardPassesCum()),
                r.replicasAgree() == null ? "" : r.replicasAgree().toString(),
                num(r.lr()), Long.toString(r.seed()));
    }

    /** Shortest round-trip decimal; NaN (not measured this round) is an empty cell. */
    static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static String quote(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
