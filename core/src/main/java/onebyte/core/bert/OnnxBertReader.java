package onebyte.core.bert;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import onebyte.core.model.transformer.TransformerConfig;
import onebyte.proto.onnx.AttributeProto;
import onebyte.proto.onnx.GraphProto;
import onebyte.proto.onnx.ModelProto;
import onebyte.proto.onnx.NodeProto;
import onebyte.proto.onnx.TensorProto;

/**
 * Reads the weights of a BERT encoder from an ONNX file exported from Hugging Face's BertModel
 * (as all-MiniLM-L6-v2's is). The embeddings, biases and LayerNorms are initializers under their
 * Hugging Face names; the 6 weight matrices of each block are anonymous initializers
 * ({@code onnx::MatMul_787}, ...) and are named through the MatMul node that consumes them: by the
 * node's name ({@code /encoder/layer.3/attention/self/key/MatMul} → {@code
 * encoder.layer.3.attention.self.key.weight}) or, where nodes carry no such names, by graph order
 * (query, key, value, attention output, intermediate, output, block after block). The head count
 * is read from the Reshape that splits the query into heads and the LayerNorm epsilon from the
 * graph's first LayerNorm.
 *
 * <p>Bad input fails with an {@link IllegalArgumentException} whose one-line message names the
 * file and what was expected.
 */
public final class OnnxBertReader {
    private static final Pattern MATMUL_NODE = Pattern.compile("/?(encoder/layer\\.\\d+/[a-z/]+)/MatMul");
    private static final Pattern LAYER_BIAS = Pattern.compile("encoder\\.layer\\.(\\d+)\\.attention\\.self\\.query\\.bias");

    private OnnxBertReader() {}

    public static BertWeights read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file (expected a BERT encoder in ONNX format)");
        }
        return read(bytes, file.toString());
    }

    /** Reads a whole stream (e.g. a classpath resource); {@code source} names it in errors. */
    public static BertWeights read(InputStream in, String source) throws IOException {
        return read(in.readAllBytes(), source);
    }

    static BertWeights read(byte[] bytes, String source) {
        ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            model = ModelProto.parseFrom(in);
        } catch (IOException e) { // InvalidProtocolBufferException: the only kind a byte array can give
            throw new IllegalArgumentException(source + ": not a complete ONNX model (" + e.getMessage() + ")");
        }
        try {
            if (!model.hasGraph() || model.getGraph().getInitializerCount() == 0) {
                throw new IllegalArgumentException("no ONNX graph with weights; expected a BERT encoder");
            }
            return fromGraph(model.getGraph());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage() + " (expected a Hugging Face BERT encoder exported to ONNX)");
        }
    }

    private static BertWeights fromGraph(GraphProto graph) {
        OnnxValues values = new OnnxValues(graph);
        Map<String, TensorProto> byName = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            String n = t.getName();
            if ((n.startsWith("embeddings.") || n.startsWith("encoder.layer.")) && !n.equals("embeddings.position_ids")) {
                byName.put(n, t);
            }
        }
        List<NodeProto> matmuls = weightMatMuls(graph, values);
        TransformerConfig config = config(graph, values, byName, matmuls);
        if (matmuls.size() != 6 * config.layers()) {
            throw new IllegalArgumentException("found " + matmuls.size() + " MatMul nodes with a weight matrix, expected 6 per block ("
                    + 6 * config.layers() + " for " + config.layers() + " blocks)");
        }
        for (int k = 0; k < matmuls.size(); k++) {
            NodeProto node = matmuls.get(k);
            String name = weightName(node, k);
            if (byName.put(name, values.initializer(node.getInput(1))) != null) {
                throw new IllegalArgumentException("two weight matrices for " + name);
            }
        }
        Map<String, BertWeights.Tensor> tensors = new HashMap<>();
        for (Map.Entry<String, TensorProto> e : byName.entrySet()) {
            long[] shape = e.getValue().getDimsList().stream().mapToLong(Long::longValue).toArray();
            tensors.put(e.getKey(), new BertWeights.Tensor(e.getKey(), shape, OnnxValues.floats(e.getValue())));
        }
        return new BertWeights(config, tensors);
    }

    /** MatMul nodes whose second input is an initializer, in graph order. */
    private static List<NodeProto> weightMatMuls(GraphProto graph, OnnxValues values) {
        List<NodeProto> out = new ArrayList<>();
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("MatMul") && n.getInputCount() == 2 && values.isInitializer(n.getInput(1))) out.add(n);
        }
        return out;
    }

    /** The Hugging Face name of the k-th weight MatMul's matrix: from the node's name, else by position. */
    private static String weightName(NodeProto node, int k) {
        Matcher m = MATMUL_NODE.matcher(node.getName());
        if (m.matches()) {
            String name = m.group(1).replace('/', '.') + ".weight";
            int layer = Integer.parseInt(name.split("\\.")[2]);
            if (BertWeights.linearLayers(layer).contains(name.substring(0, name.length() - ".weight".length()))) return name;
        }
        return BertWeights.linearLayers(k / 6).get(k % 6) + ".weight";
    }

    private static TransformerConfig config(GraphProto graph, OnnxValues values, Map<String, TensorProto> byName, List<NodeProto> matmuls) {
        long[] words = dims(byName, "embeddings.word_embeddings.weight", 2);
        long[] positions = dims(byName, "embeddings.position_embeddings.weight", 2);
        long[] types = dims(byName, "embeddings.token_type_embeddings.weight", 2);
        long[] ffn = dims(byName, "encoder.layer.0.intermediate.dense.bias", 1);
        TreeSet<Integer> layers = new TreeSet<>();
        for (String n : byName.keySet()) {
            Matcher m = LAYER_BIAS.matcher(n);
            if (m.matches()) layers.add(Integer.parseInt(m.group(1)));
        }
        if (layers.isEmpty() || layers.first() != 0 || layers.last() != layers.size() - 1) {
            throw new IllegalArgumentException("encoder blocks " + layers + ", expected blocks 0..L-1");
        }
        int hidden = (int) words[1];
        int heads = heads(values, matmuls.isEmpty() ? null : matmuls.get(0), hidden);
        return TransformerConfig.bert((int) words[0], (int) positions[0], (int) types[0], hidden, layers.size(), heads, (int) ffn[0],
                layerNormEps(graph, values));
    }

    private static long[] dims(Map<String, TensorProto> byName, String name, int rank) {
        TensorProto t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name);
        if (t.getDimsCount() != rank) {
            throw new IllegalArgumentException(name + " has shape " + t.getDimsList() + ", expected rank " + rank);
        }
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Heads from the Reshape of layer 0's query (x·Wq + b) to [batch, tokens, heads, head size]: its
     * shape is a constant or a Concat of per-dimension values, of which heads or head size is constant.
     */
    private static int heads(OnnxValues values, NodeProto queryMatMul, int hidden) {
        String missing = "cannot find the attention head count (expected the query reshaped to [batch, tokens, heads, head size])";
        if (queryMatMul == null) throw new IllegalArgumentException(missing);
        String projected = queryMatMul.getOutput(0);
        for (int hop = 0; hop < 3; hop++) {
            NodeProto reshape = consumer(values, projected, "Reshape");
            if (reshape != null && reshape.getInputCount() == 2) {
                long[] shape = shapeOf(values, reshape.getInput(1));
                if (shape != null && shape.length == 4) {
                    if (shape[2] > 0 && hidden % shape[2] == 0) return (int) shape[2];
                    if (shape[3] > 0 && hidden % shape[3] == 0) return (int) (hidden / shape[3]);
                }
                break;
            }
            NodeProto add = consumer(values, projected, "Add");
            if (add == null) break;
            projected = add.getOutput(0);
        }
        throw new IllegalArgumentException(missing);
    }

    /** A Reshape's target shape, entry by entry (−1 for an entry that is not constant), or null. */
    private static long[] shapeOf(OnnxValues values, String value) {
        long[] constant = values.constantLongs(value);
        if (constant != null) return constant;
        NodeProto concat = values.producer(value);
        if (concat == null || !concat.getOpType().equals("Concat")) return null;
        long[] shape = new long[concat.getInputCount()];
        for (int i = 0; i < shape.length; i++) {
            long[] part = values.constantLongs(concat.getInput(i));
            shape[i] = part != null && part.length == 1 ? part[0] : -1;
        }
        return shape;
    }

    private static NodeProto consumer(OnnxValues values, String value, String opType) {
        for (NodeProto n : values.consumers(value)) {
            if (n.getOpType().equals(opType)) return n;
        }
        return null;
    }

    /** ε of the first LayerNorm: a LayerNormalization node's attribute, or the constant added before Sqrt. */
    private static double layerNormEps(GraphProto graph, OnnxValues values) {
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("LayerNormalization")) {
                for (AttributeProto a : n.getAttributeList()) if (a.getName().equals("epsilon")) return a.getF();
                return 1e-5; // ONNX's default for LayerNormalization
            }
            if (n.getOpType().equals("Sqrt")) {
                NodeProto add = values.producer(n.getInput(0));
                if (add != null && add.getOpType().equals("Add")) {
                    for (String in : add.getInputList()) {
                        float[] eps = values.constantFloats(in);
                        if (eps != null && eps.length == 1) return eps[0];
                    }
                }
            }
        }
        throw new IllegalArgumentException("cannot find the LayerNorm epsilon (expected a LayerNormalization node or Sqrt(variance + ε))");
    }
}
