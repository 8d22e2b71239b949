package onebyte.coordinator.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** metrics.jsonl: one JSON object per row with the SPEC §6 keys, flushed after every row. */
public final class JsonlMetricsSink implements MetricsSink {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;

    public JsonlMetricsSink(Path file) {
        try {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    static ObjectNode toJson(MetricsRow r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("run_id", r.runId());
        o.put("algorithm", r.algorithm());
        o.put("round", r.round());
        o.put("virtual_time_s", r.virtualTimeS());
        o.put("wall_time_s", r.wallTimeS());
        o.put("members", r.members());
        o.put("planned", r.planned());
        o.put("contributed", r.contributed());
        o.put("joined", r.joined());
        o.put("left", r.left());
        o.put("crashed", r.crashed());
        putNumber(o, "train_loss", r.trainLoss());
        putNumber(o, "eval_loss", r.evalLoss());
        putNumber(o, "eval_accuracy", r.evalAccuracy());
        o.put("bytes_up", r.bytesUp());
        o.put("bytes_down", r.bytesDown());
        o.put("bytes_cum", r.bytesCum());
        o.put("forward_passes_cum", r.forwardPassesCum());
        if (r.replicasAgree() == null) {
            o.putNull("replicas_agree");
        } else {
            o.put("replicas_agree", r.replicasAgree());
        }
        putNumber(o, "lr", r.lr());
        o.put("seed", r.seed());
        return o;
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    @Override
    public void write(MetricsRow row) {
        try {
            out.write(JSON.writeValueAsString(toJson(row)));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics row", e);
        }
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
