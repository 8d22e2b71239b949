package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import onebyte.core.data.Batch;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TransformerLmTest {
    static {
        Models.limitNativeThreads(1);
    }

    private static final ModelSpec TINY = new ModelSpec(ModelSpec.TRANSFORMER_LM, 0, 0, List.of(), "", 16, 2, 2, 8, 5);

    private static Batch tokens(int b, int t, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[b * (t + 1)];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(vocab);
        float[] in = new float[b * t];
        float[] out = new float[b * t];
        for (int s = 0; s < b; s++) {
            for (int j = 0; j < t; j++) {
                in[s * t + j] = x[s * (t + 1) + j];
                out[s * t + j] = x[s * (t + 1) + j + 1];
            }
        }
        return new Batch(Nd4j.create(in, new long[] {b, t}, 'c'), Nd4j.create(out, new long[] {b, t}, 'c'));
    }

    /** Random init is too small for a sharp check (LayerNorm hides it); perturb θ to O(0.3) first. */
    private static INDArray theta64(ModelSpec spec) {
        INDArray th = Models.initialParameters(spec, 4).array().castTo(DataType.DOUBLE);
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < th.length(); i++) th.putScalar(i, th.getDouble(i) + 0.3 * r.nextGaussian());
        return th;
    }

    @Test
    void gradientMatchesFiniteDifferencesInDouble() {
        TransformerLm m = new TransformerLm(TINY, DataType.DOUBLE);
        Batch b = tokens(3, 5, 16, 1);
        INDArray th = theta64(TINY);
        INDArray grad = th.ulike();
        double loss = m.lossAndGradientAt(th, b, grad);
        assertEquals(m.lossAt(th, b), loss, 1e-12);
        SplittableRandom r = new SplittableRandom(3);
        double h = 1e-5;
        double maxErr = 0;
        String worst = "";
        for (Model.TensorShape t : m.tensors()) {
            for (int s = 0; s < 4; s++) {
                int i = (int) (t.offset() + r.nextLong(t.length()));
                double orig = th.getDouble(i);
                th.putScalar(i, orig + h);
                double lp = m.lossAt(th, b);
                th.putScalar(i, orig - h);
                double lm = m.lossAt(th, b);
                th.putScalar(i, orig);
                double fd = (lp - lm) / (2 * h);
                double err = Math.abs(fd - grad.getDouble(i)) / Math.max(1e-4, Math.abs(fd) + Math.abs(grad.getDouble(i)));
                if (err > maxErr) {
                    maxErr = err;
                    worst = t.name() + "[" + (i - t.offset()) + "] fd=" + fd + " bp=" + grad.getDouble(i);
                }
            }
        }
        assertTrue(maxErr < 1e-5, "max relative error " + maxErr + " at " + worst);
    }

    @Test
    void lossIsMeanNextTokenCrossEntropyAndAttentionIsCausal() {
        TransformerLm m = new TransformerLm(TINY, DataType.DOUBLE);
        Batch b = tokens(2, 5, 16, 2);
        INDArray th = theta64(TINY);
        INDArray logits = m.logitsAt(th, b);
        int[] y = b.labels().reshape(10).castTo(DataType.INT32).toIntVector();
        assertEquals(DenseClassifier.crossEntropy(logits, y, null), m.lossAt(th, b), 1e-10);
        // change the last input token of sequence 0: positions 0..3 must not change, position 4 must
        INDArray in2 = b.inputs().dup();
        in2.putScalar(0, 4, (in2.getDouble(0, 4) + 1) % 16);
        INDArray logits2 = m.logitsAt(th, new Batch(in2, b.labels()));
        for (int pos = 0; pos < 4; pos++) assertEquals(logits.getRow(pos), logits2.getRow(pos), "position " + pos);
        assertNotEquals(logits.getRow(4), logits2.getRow(4));
        assertEquals(logits.getRow(7), logits2.getRow(7)); // other sequence untouched
    }

    @Test
    void float32ApiCopiesTheCurrentParametersIntoFixedGraphArrays() {
        Model m = Models.create(TINY);
        Batch b = tokens(2, 5, 16, 3);
        ParameterVector a = Models.initialParameters(TINY, 1);
        ParameterVector c = Models.initialParameters(TINY, 2);
        double la = m.loss(a, b);
        List<INDArray> arrays = ((TransformerLm) m).graphWeightArrays(b);
        assertEquals(a.array(), Nd4j.concat(0, arrays.stream().map(x -> x.reshape(x.length())).toArray(INDArray[]::new)),
                "the graph's arrays hold θ");
        double lc = m.loss(c, b);
        assertNotEquals(la, lc);
        assertEquals(la, m.loss(a, b), 0.0); // the graph follows whichever θ it is given
        a.set(0, a.get(0) + 1f); // tok_emb[0][0]: mutate θ in place, the next evaluation sees it
        ParameterVector aCopy = a.copy();
        assertEquals(m.loss(aCopy, b), m.loss(a, b), 0.0);
        ParameterVector g = new ParameterVector(m.numParams());
        double lg = m.lossAndGradient(c, b, g);
        List<INDArray> after = ((TransformerLm) m).graphWeightArrays(b);
        for (int i = 0; i < arrays.size(); i++) assertSame(arrays.get(i), after.get(i), "θ is copied into fixed arrays, never reallocated");
        assertEquals(lc, lg, 1e-6);
        assertTrue(c.bitEquals(Models.initialParameters(TINY, 2)), "evaluation must not modify θ");
        assertTrue(m.accuracy(c, b) >= 0);
        // untrained LM on 16 symbols: loss ≈ ln 16
        assertEquals(Math.log(16), lc, 0.2);
    }

    /**
     * Every session (forward and gradient graph) has its cache limited to the cap from its very
     * first run and holds no more than that; ND4J's own default limit, checked below, is several
     * times larger (1.6 GB in this JVM).
     */
    @Test
    void everySessionCachesAtMostTheCapFromItsFirstRun() {
        ModelSpec spec = new ModelSpec(ModelSpec.TRANSFORMER_LM, 0, 0, List.of(), "", 64, 1, 4, 64, 64);
        TransformerLm m = new TransformerLm(spec);
        ParameterVector theta = Models.initialParameters(spec, 2);
        Batch b = tokens(64, 64, 64, 3);
        m.lossAndGradient(theta, b, new ParameterVector(m.numParams()));
        m.loss(theta, b);
        List<org.nd4j.autodiff.samediff.internal.InferenceSession> sessions = m.sessions(b).values().stream()
                .flatMap(List::stream).toList();
        assertTrue(sessions.size() >= 2, "forward and gradient sessions, got " + sessions.size());
        long cached = 0;
        for (var s : sessions) {
            var cache = (org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr) s.getMmgr();
            assertEquals(TransformerLm.MAX_ARRAY_CACHE_BYTES, cache.getMaxCacheBytes());
            assertTrue(cache.getCurrentCacheSize() <= TransformerLm.MAX_ARRAY_CACHE_BYTES, cache.getCurrentCacheSize() + " bytes cached");
            cached += cache.getCurrentCacheSize();
        }
        assertTrue(cached > 0, "the sessions cache arrays at all");
        var uncapped = (org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr)
                new org.nd4j.autodiff.samediff.internal.InferenceSession(org.nd4j.autodiff.samediff.SameDiff.create()).getMmgr();
        assertTrue(uncapped.getMaxCacheBytes() > 4 * TransformerLm.MAX_ARRAY_CACHE_BYTES, "ND4J's default cache is larger than the cap");
    }

    /** A session (and its cache) per thread id: those of threads that ended are closed when a new thread runs the model. */
    @Test
    void sessionsOfEndedThreadsAreClosed() throws Exception {
        TransformerLm m = new TransformerLm(TINY);
        ParameterVector theta = Models.initialParameters(TINY, 2);
        Batch b = tokens(2, 4, 16, 5);
        Thread[] runners = new Thread[2];
        for (int i = 0; i < runners.length; i++) {
            runners[i] = new Thread(() -> m.lossAndGradient(theta, b, new ParameterVector(m.numParams())));
            runners[i].start();
            runners[i].join();
            assertEquals(java.util.Set.of(runners[i].getId()), m.sessions(b).keySet(), "after run " + i);
        }
        var closed = m.sessions(b).get(runners[1].getId());
        double loss = m.loss(theta, b);
        assertEquals(java.util.Set.of(Thread.currentThread().getId()), m.sessions(b).keySet());
        assertTrue(Double.isFinite(loss));
        assertCachedArraysClosed(closed, "the ended thread's session");
    }

    /** A graph pushed out of the shape cache closes its sessions, the gradient graph's included. */
    @Test
    void sessionsOfAnEvictedGraphAreClosed() {
        TransformerLm m = new TransformerLm(TINY);
        ParameterVector theta = Models.initialParameters(TINY, 2);
        ParameterVector grad = new ParameterVector(m.numParams());
        Batch first = tokens(2, 1, 16, 5);
        m.lossAndGradient(theta, first, grad);
        List<org.nd4j.autodiff.samediff.internal.InferenceSession> sessions = m.sessions(first).values().stream()
                .flatMap(List::stream).toList();
        assertFalse(sessions.isEmpty());
        for (int t = 2; t <= 5; t++) {
            m.lossAndGradient(theta, tokens(2, t, 16, 5), grad); // a fifth shape evicts the first
        }
        assertTrue(m.sessions(first).isEmpty(), "the first shape's graph is no longer cached");
        assertCachedArraysClosed(sessions, "the evicted graph's sessions");
    }

    /** The sessions had cached arrays, and every one of them was freed. */
    private static void assertCachedArraysClosed(List<org.nd4j.autodiff.samediff.internal.InferenceSession> sessions, String whose) {
        int cached = 0;
        for (var s : sessions) {
            var cache = (org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr) s.getMmgr();
            for (List<INDArray> arrays : cache.getArrays().values()) {
                for (INDArray a : arrays) {
                    assertTrue(a.wasClosed(), "a cached array of " + whose + " was freed");
                    cached++;
                }
            }
        }
        assertTrue(cached > 0, whose + " had cached arrays");
    }

    @Test
    void defaultSizeIsInTheBriefRange() {
        int d = Models.create(ModelSpec.defaultTransformerLm()).numParams();
        assertTrue(d > 500_000 && d < 2_000_000, "default LM has " + d + " parameters");
    }

    @Test
    void buildingTheGradientGraphPrintsNothingButOtherOutputPassesThrough() {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            TransformerLm m = new TransformerLm(TINY, DataType.FLOAT);
            Batch b = tokens(2, 4, 16, 5);
            ParameterVector theta = Models.initialParameters(TINY, 6);
            m.lossAndGradient(theta, b, new ParameterVector(theta.length()));
            SameDiffGradientChatter.suppressedDuring(() -> {
                System.out.println("a line of our own");
                System.out.println(SameDiffGradientChatter.PREFIX + "x");
                return null;
            });
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(out.contains(SameDiffGradientChatter.PREFIX), out);
        assertTrue(out.contains("a line of our own"), out);
        assertSame(original, System.out);
    }
}
