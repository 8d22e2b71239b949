package onebyte.core.model;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import onebyte.core.data.Batch;
import onebyte.core.tensor.ParameterVector;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Decoder-only byte-level transformer LM as an ND4J SameDiff graph (pre-LayerNorm GPT block:
 * x += Attn(LN1(x)); x += MLP(LN2(x)), MLP = GELU 4×width; final LayerNorm and a linear head).
 * Causal self-attention with {@code heads} heads is written out (scores + additive causal mask +
 * softmax) since ND4J's attention op has no causal mask.
 *
 * <p>Flattening order ({@link #tensors()}): {@code tok_emb} [vocab, width], {@code pos_emb}
 * [context, width], then per block l: {@code block<l>.ln1.gain/bias} [width],
 * {@code attn.q/k/v/out.weight} [width, width] each followed by its {@code .bias} [width],
 * {@code ln2.gain/bias}, {@code mlp.up.weight} [width, 4·width], {@code mlp.up.bias},
 * {@code mlp.down.weight} [4·width, width], {@code mlp.down.bias}; then {@code ln_f.gain/bias} and
 * {@code head.weight} [width, vocab], {@code head.bias} [vocab]. Matrices are row-major and used
 * as {@code x·W}.
 *
 * <p>θ enters the graph by exactly one copy per evaluation: each graph variable owns a fixed array,
 * and before every run the tensor's view of the flat θ is {@code assign}ed into it (4d bytes
 * copied, nothing allocated). A zero-copy binding is not possible with ND4J 1.0.0-M2.1: {@code
 * associateArrayWithVariable}, {@code SDVariable.setArray} and {@code setArrayForVariable} all
 * duplicate a view (checked; see TransformerLmTest). One graph is built and
 * cached per batch shape [B, T] (T ≤ context). Loss = mean next-token cross-entropy over all B·T
 * positions (nats); accuracy = next-token argmax accuracy.
 */
final class TransformerLm implements Model {
    private static final int MAX_CACHED_GRAPHS = 4;

    private final ModelSpec spec;
    private final DataType dtype;
    private final List<TensorShape> tensors;
    private final int numParams;
    private final Map<Long, Graph> graphs = new LinkedHashMap<>(8, 0.75f, true);
    /** The threads this model has run its graphs on, by id (SameDiff keeps one session per thread id). */
    private final Map<Long, WeakReference<Thread>> runners = new HashMap<>();

    TransformerLm(ModelSpec spec) {
        this(spec, DataType.FLOAT);
    }

    /** {@code dtype} DOUBLE is for the gradient check; θ must then be a float64 flat array. */
    TransformerLm(ModelSpec spec, DataType dtype) {
        this.spec = spec;
        this.dtype = dtype;
        long w = spec.width();
        List<TensorShape> t = new ArrayList<>();
        long[] off = {0};
        java.util.function.BiConsumer<String, long[]> add = (name, shape) -> {
            long len = 1;
            for (long s : shape) len *= s;
            t.add(new TensorShape(name, shape, off[0], len));
            off[0] += len;
        };
        add.accept("tok_emb", new long[] {spec.vocab(), w});
        add.accept("pos_emb", new long[] {spec.context(), w});
        for (int l = 0; l < spec.layers(); l++) {
            String p = "block" + l + ".";
            add.accept(p + "ln1.gain", new long[] {w});
            add.accept(p + "ln1.bias", new long[] {w});
            for (String m : new String[] {"q", "k", "v", "out"}) {
                add.accept(p + "attn." + m + ".weight", new long[] {w, w});
                add.accept(p + "attn." + m + ".bias", new long[] {w});
            }
            add.accept(p + "ln2.gain", new long[] {w});
            add.accept(p + "ln2.bias", new long[] {w});
            add.accept(p + "mlp.up.weight", new long[] {w, 4 * w});
            add.accept(p + "mlp.up.bias", new long[] {4 * w});
            add.accept(p + "mlp.down.weight", new long[] {4 * w, w});
            add.accept(p + "mlp.down.bias", new long[] {w});
        }
        add.accept("ln_f.gain", new long[] {w});
        add.accept("ln_f.bias", new long[] {w});
        add.accept("head.weight", new long[] {w, spec.vocab()});
        add.accept("head.bias", new long[] {spec.vocab()});
        if (off[0] > Integer.MAX_VALUE) throw new IllegalArgumentException("model too large: " + off[0]);
        this.tensors = Collections.unmodifiableList(t);
        this.numParams = (int) off[0];
    }

    @Override
    public int numParams() {
        return numParams;
    }

    @Override
    public List<TensorShape> tensors() {
        return tensors;
    }

    @Override
    public double loss(ParameterVector params, Batch batch) {
        return lossAt(check(params), batch);
    }

    @Override
    public double accuracy(ParameterVector params, Batch batch) {
        INDArray logits = logitsAt(check(params), batch);
        long[] pred = logits.argMax(1).toLongVector();
        release(List.of(logits));
        long[] y = batch.labels().reshape(pred.length).castTo(DataType.INT64).toLongVector();
        int correct = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == y[i]) correct++;
        return (double) correct / pred.length;
    }

    @Override
    public double lossAndGradient(ParameterVector params, Batch batch, ParameterVector gradOut) {
        if (gradOut.length() != numParams) {
            throw new IllegalArgumentException("gradient length " + gradOut.length() + " != " + numParams);
        }
        return lossAndGradientAt(check(params), batch, gradOut.array());
    }

    /** The graph's own weight arrays for this batch shape (for tests: identity and contents). */
    List<INDArray> graphWeightArrays(Batch batch) {
        return graphFor(batch).weights.stream().map(SDVariable::getArr).toList();
    }

    /** The inference sessions, by thread id, of this batch shape's graph and of its gradient graph (for tests). */
    Map<Long, List<InferenceSession>> sessions(Batch batch) {
        Graph g = graphs.get(((long) batch.inputs().size(0) << 32) | batch.inputs().size(1));
        Map<Long, List<InferenceSession>> out = new HashMap<>();
        if (g == null) return out;
        for (SameDiff sd : g.withGradient()) {
            sd.getSessions().forEach((id, s) -> out.computeIfAbsent(id, k -> new ArrayList<>()).add(s));
        }
        return out;
    }

    /** Logits [B·T, vocab] (row b·T + t is position t of sequence b). */
    INDArray logitsAt(INDArray flat, Batch batch) {
        Graph g = graphFor(batch);
        Map<String, INDArray> placeholders = bind(g, flat, batch);
        INDArray logits = g.sd.output(placeholders, "logits").get("logits");
        release(placeholders.values());
        NativeGarbage.collectIfGrown();
        return logits;
    }

    double lossAt(INDArray flat, Batch batch) {
        Graph g = graphFor(batch);
        Map<String, INDArray> placeholders = bind(g, flat, batch);
        Map<String, INDArray> out = g.sd.output(placeholders, "loss");
        double loss = out.get("loss").getDouble(0);
        release(out.values());
        release(placeholders.values());
        NativeGarbage.collectIfGrown();
        return loss;
    }

    double lossAndGradientAt(INDArray flat, Batch batch, INDArray gradFlat) {
        Graph g = graphFor(batch);
        Map<String, INDArray> placeholders = bind(g, flat, batch);
        // The first call builds the gradient graph, which prints one line per op to System.out.
        OutAndGrad og = g.gradientGraphBuilt
                ? g.sd.calculateGradientsAndOutputs(placeholders, List.of("loss"), g.weightNames)
                : SameDiffGradientChatter.suppressedDuring(
                        () -> g.sd.calculateGradientsAndOutputs(placeholders, List.of("loss"), g.weightNames));
        g.gradientGraphBuilt = true;
        NativeGarbage.collectIfGrown();
        Map<String, INDArray> grads = og.getGradients();
        for (int i = 0; i < tensors.size(); i++) {
            TensorShape t = tensors.get(i);
            INDArray gr = grads.get(t.name());
            INDArray dst = gradFlat.get(NDArrayIndex.interval(t.offset(), t.offset() + t.length()));
            dst.assign(gr.reshape(t.length()));
        }
        double loss = og.getOutputs().get("loss").getDouble(0);
        release(grads.values());
        release(og.getOutputs().values());
        release(placeholders.values());
        return loss;
    }

    /**
     * Frees the off-heap buffers of arrays this model received from SameDiff and no longer needs.
     * Left to the garbage collector, their native memory piles up between collections of a small
     * Java heap (measured: ~3 GB resident for one 0.4M-parameter model under -Xmx2g).
     */
    private static void release(java.util.Collection<INDArray> arrays) {
        for (INDArray a : arrays) {
            if (a != null && a.closeable()) {
                a.close();
            }
        }
    }

    static {
        SameDiff.bindInferenceFactory(TransformerLm::boundedSession);
    }

    /**
     * Every SameDiff inference session (one per graph and thread, the gradient graph's included)
     * starts with its array cache capped at {@link #MAX_ARRAY_CACHE_BYTES}. ND4J M2.1's default
     * {@code ArrayCacheMemoryMgr} may keep gigabytes per session (1.6 GB in the test JVM here),
     * off the Java heap where no garbage collection sees it: measured 2.9 GB resident for one
     * 0.4M-parameter model, and an lm-finetune run with four FedSpeed nodes and the coordinator's
     * replica in one JVM was killed by the kernel at 23 GB. With the cap, arrays beyond it are
     * closed when the session releases them. (Capping after a session's first run, as before,
     * let that run fill the cache unbounded.)
     */
    static InferenceSession boundedSession(SameDiff sd) {
        InferenceSession session = new InferenceSession(sd);
        if (session.getMmgr() instanceof ArrayCacheMemoryMgr cache) {
            cache.setMaxCacheBytes(MAX_ARRAY_CACHE_BYTES);
        }
        return session;
    }

    private INDArray check(ParameterVector params) {
        if (params.length() != numParams) {
            throw new IllegalArgumentException("parameter length " + params.length() + " != " + numParams);
        }
        return params.array();
    }

    /** Copies θ into the graph's weight arrays (one pass over θ) and returns the placeholders. */
    private Map<String, INDArray> bind(Graph g, INDArray flat, Batch batch) {
        if (flat.dataType() != dtype) throw new IllegalArgumentException("θ is " + flat.dataType() + ", graph is " + dtype);
        for (int i = 0; i < tensors.size(); i++) {
            TensorShape t = tensors.get(i);
            INDArray v = flat.get(NDArrayIndex.interval(t.offset(), t.offset() + t.length()));
            g.arrays.get(i).assign(t.shape().length == 1 ? v : v.reshape('c', t.shape()));
        }
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("tokens", batch.inputs().reshape(batch.inputs().length()).castTo(DataType.INT32));
        ph.put("targets", batch.labels().reshape(batch.labels().length()).castTo(DataType.INT32));
        return ph;
    }

    private Graph graphFor(Batch batch) {
        forgetEndedThreads();
        INDArray x = batch.inputs();
        if (x.rank() != 2 || x.size(1) > spec.context() || x.size(1) < 1) {
            throw new IllegalArgumentException("expected token ids [B, T] with 1 ≤ T ≤ " + spec.context()
                    + ", got " + java.util.Arrays.toString(x.shape()));
        }
        if (!java.util.Arrays.equals(x.shape(), batch.labels().shape())) {
            throw new IllegalArgumentException("labels must be [B, T] like the inputs");
        }
        int b = (int) x.size(0);
        int t = (int) x.size(1);
        long key = ((long) b << 32) | t;
        Graph g = graphs.get(key);
        if (g == null) {
            g = build(b, t);
            graphs.put(key, g);
            if (graphs.size() > MAX_CACHED_GRAPHS) {
                closeSessions(graphs.remove(graphs.keySet().iterator().next()), id -> true);
            }
        }
        return g;
    }

    /**
     * SameDiff keeps an inference session, with its array cache and the arrays of its last run, per
     * thread id for as long as the graph lives, also after the thread has ended. A model that is
     * run from a new thread now and then (an executor whose idle threads time out) would gather
     * one dead session per thread; on the first run from each new thread, this closes the sessions
     * of the threads that have ended.
     */
    private void forgetEndedThreads() {
        Thread current = Thread.currentThread();
        synchronized (runners) {
            if (runners.containsKey(current.getId())) return; // every run but a thread's first
            runners.put(current.getId(), new WeakReference<>(current));
            Set<Long> ended = new HashSet<>();
            runners.forEach((id, ref) -> {
                Thread t = ref.get();
                if (t == null || !t.isAlive()) ended.add(id);
            });
            runners.keySet().removeAll(ended);
            if (!ended.isEmpty()) {
                for (Graph g : graphs.values()) closeSessions(g, ended::contains);
            }
        }
    }

    /** Removes and closes the sessions, of a graph and of its gradient graph, whose thread id passes {@code which}. */
    private static void closeSessions(Graph g, LongPredicate which) {
        for (SameDiff sd : g.withGradient()) {
            for (Iterator<Map.Entry<Long, InferenceSession>> it = sd.getSessions().entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, InferenceSession> e = it.next();
                if (which.test(e.getKey())) {
                    it.remove();
                    e.getValue().getMmgr().close();
                }
            }
        }
    }

    /** Bytes of intermediate arrays each inference session may keep for reuse (see {@link #boundedSession}). */
    static final long MAX_ARRAY_CACHE_BYTES = 64L << 20;

    private static final class Graph {
        final SameDiff sd;
        final List<SDVariable> weights;
        final List<String> weightNames;
        final List<INDArray> arrays;
        boolean gradientGraphBuilt;

        Graph(SameDiff sd, List<SDVariable> weights) {
            this.sd = sd;
            this.weights = weights;
            this.weightNames = weights.stream().map(SDVariable::name).toList();
            this.arrays = weights.stream().map(SDVariable::getArr).toList();
        }

        /** This graph and, once built, its gradient graph (which has sessions of its own). */
        List<SameDiff> withGradient() {
            SameDiff gradient = sd.getFunction("grad");
            return gradient == null ? List.of(sd) : List.of(sd, gradient);
        }
    }

    private Graph build(int b, int t) {
        SameDiff sd = SameDiff.create();
        List<SDVariable> vars = new ArrayList<>();
        Map<String, SDVariable> w = new HashMap<>();
        for (TensorShape ts : tensors) {
            SDVariable v = sd.var(ts.name(), dtype, ts.shape());
            sd.associateArrayWithVariable(Nd4j.zeros(dtype, ts.shape()), v); // filled from θ before each run
            vars.add(v);
            w.put(ts.name(), v);
        }
        int width = spec.width();
        int heads = spec.heads();
        int dh = width / heads;
        long n = (long) b * t;
        SDVariable tokens = sd.placeHolder("tokens", DataType.INT32, n);
        SDVariable targets = sd.placeHolder("targets", DataType.INT32, n);
        // Embedding lookup as one-hot · tok_emb: ND4J M2.1's gather gradient builds a loop that
        // fails to differentiate, and the product costs N·vocab·width, small next to the blocks.
        SDVariable oneHot = sd.oneHot("tokens_onehot", tokens, spec.vocab(), -1, 1.0, 0.0, dtype); // [N, vocab]
        SDVariable pos = sd.slice(w.get("pos_emb"), new int[] {0, 0}, t, width); // [T, W]
        SDVariable x = oneHot.mmul(w.get("tok_emb")).reshape(b, t, width).add(pos).reshape(n, width); // [N, W]
        INDArray mask = Nd4j.zeros(dtype, t, t);
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) mask.putScalar(i, j, -1e9);
        SDVariable causal = sd.constant("causal_mask", mask);
        double scale = 1.0 / Math.sqrt(dh);
        for (int l = 0; l < spec.layers(); l++) {
            String p = "block" + l + ".";
            SDVariable h = sd.nn.layerNorm(x, w.get(p + "ln1.gain"), w.get(p + "ln1.bias"), false, 1);
            SDVariable q = heads(sd, linear(sd, h, w, p + "attn.q"), b, t, heads, dh);
            SDVariable k = heads(sd, linear(sd, h, w, p + "attn.k"), b, t, heads, dh);
            SDVariable v = heads(sd, linear(sd, h, w, p + "attn.v"), b, t, heads, dh);
            SDVariable scores = sd.mmul(q, k, false, true, false).mul(scale).add(causal); // [B, H, T, T]
            SDVariable att = sd.nn.softmax(scores, 3);
            SDVariable o = sd.mmul(att, v).permute(0, 2, 1, 3).reshape(n, width);
            x = x.add(linear(sd, o, w, p + "attn.out"));
            SDVariable h2 = sd.nn.layerNorm(x, w.get(p + "ln2.gain"), w.get(p + "ln2.bias"), false, 1);
            SDVariable up = sd.nn.gelu(linear(sd, h2, w, p + "mlp.up"));
            x = x.add(linear(sd, up, w, p + "mlp.down"));
        }
        SDVariable hf = sd.nn.layerNorm(x, w.get("ln_f.gain"), w.get("ln_f.bias"), false, 1);
        SDVariable logits = linear(sd, hf, w, "head").rename("logits"); // [N, vocab]
        // Cross-entropy written out: ND4J M2.1's sparseSoftmaxCrossEntropy back-propagates the sum
        // over positions, not the mean it reports (caught by the gradient check).
        SDVariable targetOneHot = sd.oneHot("targets_onehot", targets, spec.vocab(), -1, 1.0, 0.0, dtype);
        SDVariable logProb = sd.nn.logSoftmax(logits); // last axis (the dimension argument is broken in M2.1)
        SDVariable loss = logProb.mul(targetOneHot).sum(1).mean().neg().rename("loss");
        sd.setLossVariables(loss);
        return new Graph(sd, vars);
    }

    private static SDVariable linear(SameDiff sd, SDVariable x, Map<String, SDVariable> w, String name) {
        return x.mmul(w.get(name + ".weight")).add(w.get(name + ".bias"));
    }

    /** [N, W] → [B, H, T, Dh]. */
    private static SDVariable heads(SameDiff sd, SDVariable x, int b, int t, int h, int dh) {
        return x.reshape(b, t, h, dh).permute(0, 2, 1, 3);
    }
}
