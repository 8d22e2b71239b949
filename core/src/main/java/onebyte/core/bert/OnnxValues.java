package onebyte.core.bert;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onebyte.proto.onnx.AttributeProto;
import onebyte.proto.onnx.GraphProto;
import onebyte.proto.onnx.NodeProto;
import onebyte.proto.onnx.TensorProto;

/**
 * The values an ONNX graph holds: initializer tensors and the outputs of its Constant nodes,
 * decoded from {@code raw_data} (little-endian) or the typed {@code *_data} fields. Errors are
 * {@link IllegalArgumentException}s whose message says what was expected; the caller adds the file.
 */
final class OnnxValues {
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();

    OnnxValues(GraphProto graph) {
        for (TensorProto t : graph.getInitializerList()) initializers.put(t.getName(), t);
        for (NodeProto n : graph.getNodeList()) {
            for (String out : n.getOutputList()) producers.put(out, n);
            for (String in : n.getInputList()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
    }

    boolean isInitializer(String name) {
        return initializers.containsKey(name);
    }

    TensorProto initializer(String name) {
        return initializers.get(name);
    }

    /** The node whose output this value is, or null (a graph input or an initializer). */
    NodeProto producer(String value) {
        return producers.get(value);
    }

    /** The nodes that take this value as an input, in graph order. */
    List<NodeProto> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** The integers of a constant value (initializer or Constant node), or null if it is not constant. */
    long[] constantLongs(String value) {
        TensorProto t = constantTensor(value);
        if (t != null) return longs(t);
        NodeProto n = producers.get(value);
        if (n == null || !n.getOpType().equals("Constant")) return null;
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("value_int")) return new long[] {a.getI()};
            if (a.getName().equals("value_ints")) return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
        }
        return null;
    }

    /** The floats of a constant value (initializer or Constant node), or null if it is not constant. */
    float[] constantFloats(String value) {
        TensorProto t = constantTensor(value);
        if (t != null) return t.getDataType() == TensorProto.DataType.FLOAT_VALUE ? floats(t) : null;
        NodeProto n = producers.get(value);
        if (n == null || !n.getOpType().equals("Constant")) return null;
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("value_float")) return new float[] {a.getF()};
        }
        return null;
    }

    private TensorProto constantTensor(String value) {
        TensorProto init = initializers.get(value);
        if (init != null) return init;
        NodeProto n = producers.get(value);
        if (n == null || !n.getOpType().equals("Constant")) return null;
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("value") && a.hasT()) return a.getT();
        }
        return null;
    }

    /** Number of elements a tensor's dims describe. */
    static long count(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) n *= d;
        return n;
    }

    /** A float32 tensor's values; anything else (another type, external data, wrong length) fails. */
    static float[] floats(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("tensor " + t.getName() + " has ONNX data type " + t.getDataType()
                    + ", expected 1 (float32)");
        }
        requireInternal(t);
        long n = count(t);
        if (t.hasRawData()) {
            if (t.getRawData().size() != 4 * n) {
                throw new IllegalArgumentException("tensor " + t.getName() + " " + t.getDimsList() + " has "
                        + t.getRawData().size() + " bytes of data, expected " + 4 * n);
            }
            float[] out = new float[(int) n];
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
        List<Float> data = t.getFloatDataList();
        if (data.size() != n) {
            throw new IllegalArgumentException("tensor " + t.getName() + " " + t.getDimsList() + " has " + data.size()
                    + " values, expected " + n);
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) out[i] = t.getFloatData(i);
        return out;
    }

    /** An int64 or int32 tensor's values. */
    static long[] longs(TensorProto t) {
        requireInternal(t);
        int type = t.getDataType();
        int width = type == TensorProto.DataType.INT64_VALUE ? 8 : type == TensorProto.DataType.INT32_VALUE ? 4 : 0;
        if (width == 0) {
            throw new IllegalArgumentException("tensor " + t.getName() + " has ONNX data type " + type
                    + ", expected 6 or 7 (int32, int64)");
        }
        long n = count(t);
        long[] out = new long[(int) n];
        if (t.hasRawData()) {
            if (t.getRawData().size() != width * n) {
                throw new IllegalArgumentException("tensor " + t.getName() + " has " + t.getRawData().size()
                        + " bytes of data, expected " + width * n);
            }
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) out[i] = width == 8 ? b.getLong() : b.getInt();
            return out;
        }
        int have = width == 8 ? t.getInt64DataCount() : t.getInt32DataCount();
        if (have != n) {
            throw new IllegalArgumentException("tensor " + t.getName() + " has " + have + " values, expected " + n);
        }
        for (int i = 0; i < n; i++) out[i] = width == 8 ? t.getInt64Data(i) : t.getInt32Data(i);
        return out;
    }

    private static void requireInternal(TensorProto t) {
        if (t.getDataLocation() != 0) {
            throw new IllegalArgumentException("tensor " + t.getName()
                    + " keeps its data in an external file; expected the weights inside the ONNX file");
        }
    }
}
