package onebyte.core.model.transformer;

import java.util.List;

/**
 * A transformer stack on direct BLAS gemms over kept buffers, parameters read in place from a flat θ
 * (never written, never copied): the BERT encoder (output: last_hidden_state [B·T, H]) or the causal
 * decoder of {@code transformer-lm} (output: logits [B·T, vocab]); see {@link TransformerConfig} and,
 * for the flat order, {@link ParameterLayout}. The stack's tensors may sit anywhere in a longer θ
 * (a model with a head of its own): every call takes the offset of the stack's first element.
 *
 * <p>Inputs: token ids [B, T] row-major (row b·T + t is position t of sequence b), for the encoder
 * optional token-type ids (null: all 0); the encoder hides keys whose token id is 0 ([PAD]).
 * Outputs are row-major [B·T, ·] buffers kept by this instance, valid until its next call.
 *
 * <p>Three passes, all computing the same function:
 * <ul>
 *   <li>{@link #forward(DenseBuffer, int, int[], int[], int, int)}: inference at θ;
 *   <li>{@link #forward(Weights, int, int[], int[], int, int)}: one or two points from blocks (the
 *       SPSA pass reads θ ± εz slice by slice, see {@link Weights#perturbed});
 *   <li>{@link #forwardTraced} then {@link #backward}: training, every activation kept, then the
 *       hand-written backward pass.
 * </ul>
 *
 * <p>Deterministic: the same θ, inputs and BLAS thread count give the same bits. θ and all buffers
 * are float32, or float64 (for the gradient check) when θ is. Not for concurrent use.
 */
public final class Transformer {
    private final TransformerConfig config;
    private final ParameterLayout layout;
    private final Block[] blocks;
    private final int[] lengths;
    /** Kept between calls: inference activations of one and of two points, the trace, the backward scratch. */
    private Activations[] inference1;
    private Activations[] inference2;
    private Activations trace;
    private BackwardBuffers backward;

    public Transformer(TransformerConfig config) {
        this.config = config;
        this.layout = new ParameterLayout(config);
        this.blocks = new Block[config.layers()];
        for (int l = 0; l < blocks.length; l++) {
            blocks[l] = config.isEncoder() ? new EncoderBlock(config, layout, l) : new DecoderBlock(config, layout, l);
        }
        this.lengths = layout.lengths();
    }

    public TransformerConfig config() {
        return config;
    }

    public ParameterLayout layout() {
        return layout;
    }

    public int numParams() {
        return layout.size();
    }

    public List<ParameterLayout.Tensor> tensors() {
        return layout.tensors();
    }

    /** Width of a row of the output: H for the encoder, vocab for the decoder. */
    public int outputWidth() {
        return config.isEncoder() ? config.width() : config.vocab();
    }

    /** The output at θ (the stack's tensors from {@code offset}), [B·T, {@link #outputWidth()}]. */
    public DenseBuffer forward(DenseBuffer theta, int offset, int[] tokens, int[] types, int batch, int len) {
        checkTheta(theta, offset);
        return forward(Weights.inPlace(theta, offset, lengths), 1, tokens, types, batch, len, theta)[0];
    }

    /**
     * The output at {@code points} (1 or 2) points whose parameters come from {@code w} (float32),
     * which is left positioned after the stack's last tensor.
     */
    public DenseBuffer[] forward(Weights w, int points, int[] tokens, int[] types, int batch, int len) {
        return forward(w, points, tokens, types, batch, len, null);
    }

    /** Like {@link #forward(DenseBuffer, int, int[], int[], int, int)}, keeping every activation for {@link #backward}. */
    public DenseBuffer forwardTraced(DenseBuffer theta, int offset, int[] tokens, int[] types, int batch, int len) {
        checkTheta(theta, offset);
        if (trace == null || !trace.fits(batch, len, theta.isDouble())) {
            trace = null;
            trace = Activations.trace(config, batch, len, theta);
        }
        Activations[] a = {trace};
        run(Weights.inPlace(theta, offset, lengths), a, 1, tokens, types, batch, len);
        return output(trace);
    }

    /**
     * The gradient of a loss with respect to the stack's parameters, given dL/d(output) of the last
     * {@link #forwardTraced} call (same θ): written into {@code grad[gradOffset, gradOffset +
     * numParams())} (overwriting it). {@code dOutput} [B·T, {@link #outputWidth()}] is not modified.
     */
    public void backward(DenseBuffer theta, int offset, DenseBuffer dOutput, DenseBuffer grad, int gradOffset) {
        if (trace == null) throw new IllegalStateException("backward needs a forwardTraced call first");
        checkTheta(theta, offset);
        Activations a = trace;
        if (backward == null || !backward.fits(a.batch, a.len, theta.isDouble())) {
            backward = null;
            backward = new BackwardBuffers(config, a.batch, a.len, theta);
        }
        BackwardBuffers b = backward;
        grad.fill(gradOffset, layout.size(), 0);
        int n = a.rows;
        int h = config.width();
        if (config.isEncoder()) {
            dOutput.copyTo(0, b.dx, 0, n * h);
        } else {
            int t = lengths.length - 4; // ln_f.gain, ln_f.bias, head.weight, head.bias
            Linear.backward(a.hf, view(theta, offset, t + 2), dOutput, b.tmp, false, view(grad, gradOffset, t + 2),
                    view(grad, gradOffset, t + 3), b.ones, n, h, config.vocab());
            LayerNorm.backward(a.out, a.statsF, view(theta, offset, t), b.tmp, b.dx, false, view(grad, gradOffset, t),
                    view(grad, gradOffset, t + 1), n, h);
        }
        for (int l = blocks.length - 1; l >= 0; l--) blocks[l].backward(a, theta, offset, grad, gradOffset, b);
        if (config.isEncoder()) {
            LayerNorm.backward(a.embSum, a.embStats, view(theta, offset, 3), b.dx, b.dx, false, view(grad, gradOffset, 3),
                    view(grad, gradOffset, 4), n, h);
            Embeddings.scatter(b.dx, a.types, view(grad, gradOffset, 2), h);
        }
        Embeddings.scatter(b.dx, a.tokens, view(grad, gradOffset, 0), h);
        Embeddings.scatter(b.dx, a.positions, view(grad, gradOffset, 1), h);
    }

    private DenseBuffer[] forward(Weights w, int points, int[] tokens, int[] types, int batch, int len, DenseBuffer kind) {
        if (points != 1 && points != 2) throw new IllegalArgumentException("points must be 1 or 2, got " + points);
        DenseBuffer k = kind != null ? kind : DenseBuffer.floats(1);
        boolean dbl = k.isDouble();
        Activations[] a = points == 1 ? inference1 : inference2;
        if (a == null || !a[0].fits(batch, len, dbl)) {
            if (points == 1) inference1 = null; else inference2 = null; // let the old buffers go first
            a = new Activations[points];
            for (int p = 0; p < points; p++) a[p] = Activations.inference(config, batch, len, k);
            if (points == 1) inference1 = a; else inference2 = a;
        }
        run(w, a, points, tokens, types, batch, len);
        DenseBuffer[] out = new DenseBuffer[points];
        for (int p = 0; p < points; p++) out[p] = output(a[p]);
        return out;
    }

    private void run(Weights w, Activations[] a, int points, int[] tokens, int[] types, int batch, int len) {
        checkInputs(tokens, types, batch, len);
        for (int p = 0; p < points; p++) {
            System.arraycopy(tokens, 0, a[p].tokens, 0, tokens.length);
            if (types != null) System.arraycopy(types, 0, a[p].types, 0, types.length);
            else java.util.Arrays.fill(a[p].types, 0);
        }
        int n = batch * len;
        int h = config.width();
        boolean enc = config.isEncoder();
        DenseBuffer[] sum = Block.ofPoints(a, points, x -> enc ? x.embSum : x.x0());
        Embeddings.gather(w, points, sum, a[0].tokens, config.vocab(), h, false);
        Embeddings.gather(w, points, sum, a[0].positions, config.maxPositions(), h, true);
        DenseBuffer[] gains = Block.ofPoints(a, points, x -> x.gainCopy);
        if (enc) {
            Embeddings.gather(w, points, sum, a[0].types, config.typeVocab(), h, true);
            LayerNorm.forward(w, points, sum, Block.ofPoints(a, points, Activations::x0), statsOf(a, points, true), gains, n, h,
                    config.lnEps());
        }
        for (Block b : blocks) b.forward(w, a, points);
        if (!enc) {
            DenseBuffer[] hf = Block.ofPoints(a, points, x -> x.hf);
            LayerNorm.forward(w, points, Block.ofPoints(a, points, x -> x.out), hf, statsOf(a, points, false), gains, n, h,
                    config.lnEps());
            Linear.forward(w, points, hf, null, Block.ofPoints(a, points, x -> x.logits), a[0].ones, n, h, config.vocab());
        }
    }

    private static double[][] statsOf(Activations[] a, int points, boolean embedding) {
        double[][] out = new double[points][];
        for (int p = 0; p < points; p++) out[p] = embedding ? a[p].embStats : a[p].statsF;
        return out;
    }

    private DenseBuffer output(Activations a) {
        return config.isEncoder() ? a.out.view(0, a.rows * config.width()) : a.logits.view(0, a.rows * config.vocab());
    }

    private DenseBuffer view(DenseBuffer flat, int offset, int tensor) {
        ParameterLayout.Tensor t = layout.get(tensor);
        return flat.view(offset + t.offset(), t.length());
    }

    private void checkTheta(DenseBuffer theta, int offset) {
        if (offset < 0 || (long) offset + layout.size() > theta.length()) {
            throw new IllegalArgumentException("θ of length " + theta.length() + " has no " + layout.size()
                    + " parameters from offset " + offset);
        }
    }

    private void checkInputs(int[] tokens, int[] types, int batch, int len) {
        if (batch < 1 || len < 1 || len > config.maxPositions()) {
            throw new IllegalArgumentException("expected [B, T] with B ≥ 1 and 1 ≤ T ≤ " + config.maxPositions() + ", got ["
                    + batch + ", " + len + "]");
        }
        if (tokens.length != batch * len) {
            throw new IllegalArgumentException(tokens.length + " token ids for [" + batch + ", " + len + "]");
        }
        for (int id : tokens) {
            if (id < 0 || id >= config.vocab()) throw new IllegalArgumentException("token id " + id + " outside [0, " + config.vocab() + ")");
        }
        if (types != null) {
            if (!config.isEncoder()) throw new IllegalArgumentException("the decoder takes no token types");
            if (types.length != tokens.length) throw new IllegalArgumentException(types.length + " type ids for " + tokens.length + " tokens");
            for (int t : types) {
                if (t < 0 || t >= config.typeVocab()) throw new IllegalArgumentException("type id " + t + " outside [0, " + config.typeVocab() + ")");
            }
        }
    }
}
