package onebyte.core.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import onebyte.core.model.transformer.TransformerConfig;
import onebyte.proto.onnx.GraphProto;
import onebyte.proto.onnx.ModelProto;
import onebyte.proto.onnx.TensorProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxBertReaderTest {
    static byte[] onnx;
    static BertWeights minilm;

    @BeforeAll
    static void readMiniLm() throws IOException {
        try (InputStream in = MiniLm.open(MiniLm.ONNX_RESOURCE)) {
            onnx = in.readAllBytes();
        }
        minilm = OnnxBertReader.read(onnx, "minilm.onnx");
    }

    @Test
    void miniLmHasTheShapeItsModelCardGives() {
        assertEquals(TransformerConfig.bert(30522, 512, 2, 384, 6, 12, 1536, 1e-12f), minilm.config());
        assertEquals(MiniLm.CONFIG, minilm.config());
        assertEquals(22_565_376L, minilm.numParams());
        assertEquals(5 + 6 * 16, minilm.all().size());
        assertArrayEquals(new long[] {1536, 384}, minilm.tensor("encoder.layer.5.output.dense.weight").shape());
    }

    /** The anonymous matrices are named by the MatMul that consumes them: check two against the raw file. */
    @Test
    void anonymousMatricesAreNamedThroughTheirMatMulNodes() throws IOException {
        GraphProto g = ModelProto.parseFrom(onnx).getGraph();
        float[] raw787 = floatsOf(g, "onnx::MatMul_787"); // consumed by /encoder/layer.0/attention/self/query/MatMul
        float[] raw864 = floatsOf(g, "onnx::MatMul_864"); // consumed by /encoder/layer.5/output/dense/MatMul
        assertArrayEquals(raw787, minilm.tensor("encoder.layer.0.attention.self.query.weight").data());
        assertArrayEquals(raw864, minilm.tensor("encoder.layer.5.output.dense.weight").data());
    }

    /** Nodes without names: the same matrices by graph order; float_data instead of raw_data: the same values. */
    @Test
    void graphOrderAndFloatDataGiveTheSameWeights() {
        GraphProto.Builder g = graphOf(onnx).toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) g.getNodeBuilder(i).clearName();
        TensorProto.Builder bias = null;
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals("encoder.layer.2.output.LayerNorm.bias")) bias = g.getInitializerBuilder(i);
        }
        float[] values = minilm.tensor("encoder.layer.2.output.LayerNorm.bias").data();
        bias.clearRawData();
        for (float v : values) bias.addFloatData(v);
        BertWeights w = OnnxBertReader.read(ModelProto.newBuilder().setGraph(g).build().toByteArray(), "renamed.onnx");
        for (BertWeights.Tensor t : minilm.all()) assertArrayEquals(t.data(), w.tensor(t.name()).data(), t.name());
    }

    @Test
    void badFilesFailWithOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.onnx");
        assertOneLine(missing, assertThrows(IllegalArgumentException.class, () -> OnnxBertReader.read(missing)), "no such file");

        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, java.util.Arrays.copyOf(onnx, onnx.length / 2));
        assertOneLine(truncated, assertThrows(IllegalArgumentException.class, () -> OnnxBertReader.read(truncated)), "not a complete ONNX model");

        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is not a model\n");
        assertOneLine(text, assertThrows(IllegalArgumentException.class, () -> OnnxBertReader.read(text)), "ONNX");

        GraphProto.Builder g = graphOf(onnx).toBuilder();
        g.removeInitializer(g.getInitializerCount() - 1); // onnx::MatMul_864, layer 5's output.dense
        Path short5 = dir.resolve("five-and-a-half.onnx");
        Files.write(short5, ModelProto.newBuilder().setGraph(g).build().toByteArray());
        assertOneLine(short5, assertThrows(IllegalArgumentException.class, () -> OnnxBertReader.read(short5)), "expected 6 per block");

        GraphProto.Builder d = graphOf(onnx).toBuilder();
        for (int i = 0; i < d.getInitializerCount(); i++) {
            if (d.getInitializer(i).getName().equals("embeddings.LayerNorm.weight")) d.getInitializerBuilder(i).setDataType(11);
        }
        Path doubles = dir.resolve("doubles.onnx");
        Files.write(doubles, ModelProto.newBuilder().setGraph(d).build().toByteArray());
        assertOneLine(doubles, assertThrows(IllegalArgumentException.class, () -> OnnxBertReader.read(doubles)), "expected 1 (float32)");
    }

    private static void assertOneLine(Path file, IllegalArgumentException e, String expected) {
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString() + ": "), m);
        assertTrue(m.contains(expected), m);
        assertEquals(List.of(m), m.lines().toList());
    }

    private static GraphProto graphOf(byte[] bytes) {
        try {
            return ModelProto.parseFrom(bytes).getGraph();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static float[] floatsOf(GraphProto g, String name) {
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().equals(name)) {
                float[] out = new float[t.getRawData().size() / 4];
                ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
                return out;
            }
        }
        throw new AssertionError("no initializer " + name);
    }
}
