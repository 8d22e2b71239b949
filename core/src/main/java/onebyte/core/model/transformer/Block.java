package onebyte.core.model.transformer;

import java.util.function.Function;

/**
 * One transformer block of either layout, its forward pass streamed over {@link Weights} for one
 * or two points and its backward pass reading the weights in place from θ. See {@link LayerState}
 * for the equations of each layout.
 */
abstract sealed class Block permits DecoderBlock, EncoderBlock {
    final TransformerConfig c;
    final ParameterLayout layout;
    final int layer;
    final Attention attention;
    /** Hidden width H and feed-forward width. */
    final int h;
    final int f;

    Block(TransformerConfig c, ParameterLayout layout, int layer) {
        this.c = c;
        this.h = c.width();
        this.f = c.ffn();
        this.layout = layout;
        this.layer = layer;
        this.attention = new Attention(c.width(), c.heads(), !c.isEncoder());
    }

    /** Runs the block on every point's {@code layers[layer]}, reading its 16 tensors from {@code w}. */
    abstract void forward(Weights w, Activations[] a, int points);

    /**
     * With dL/d(xOut) in {@code b.dx}, leaves dL/d(xIn) there and adds the block's parameter
     * gradients into {@code grad} (the block's tensors at their offsets from {@code gradOffset}).
     */
    abstract void backward(Activations a, DenseBuffer theta, int offset, DenseBuffer grad, int gradOffset, BackwardBuffers b);

    static DenseBuffer[] ofPoints(Activations[] a, int points, Function<Activations, DenseBuffer> f) {
        DenseBuffer[] out = new DenseBuffer[points];
        for (int p = 0; p < points; p++) out[p] = f.apply(a[p]);
        return out;
    }

    DenseBuffer[] each(Activations[] a, int points, LayerPart f) {
        DenseBuffer[] out = new DenseBuffer[points];
        for (int p = 0; p < points; p++) out[p] = f.of(a[p].layers[layer]);
        return out;
    }

    static double[][] stats(Activations[] a, int points, boolean first, int layer) {
        double[][] out = new double[points][];
        for (int p = 0; p < points; p++) out[p] = first ? a[p].layers[layer].statsA : a[p].layers[layer].statsB;
        return out;
    }

    /** Attention over the projections of every point. */
    void attend(Activations[] a, int points) {
        for (int p = 0; p < points; p++) {
            LayerState s = a[p].layers[layer];
            attention.forward(s.q, s.k, s.v, s.ctx, s.probs, a[p].trace, a[p].tokens, a[p].batch, a[p].len);
        }
    }

    /** Q, K, V of every point from {@code in}: three streamed dense layers. */
    void project(Weights w, Activations[] a, int points, DenseBuffer[] in) {
        int n = a[0].rows;
        int h = c.width();
        Linear.forward(w, points, in, null, each(a, points, s -> s.q), a[0].ones, n, h, h);
        Linear.forward(w, points, in, null, each(a, points, s -> s.k), a[0].ones, n, h, h);
        Linear.forward(w, points, in, null, each(a, points, s -> s.v), a[0].ones, n, h, h);
    }

    /** Backward through Q, K, V = in·W + b: adds dL/d(in) into (or, unless accumulate, writes it to) {@code dIn}. */
    void projectBackward(LayerState s, DenseBuffer in, DenseBuffer theta, int offset, DenseBuffer grad, int gradOffset,
                         BackwardBuffers b, int firstTensor, DenseBuffer dIn, boolean accumulate) {
        int h = c.width();
        DenseBuffer[] d = {b.dq, b.dk, b.dv};
        for (int i = 0; i < 3; i++) {
            denseBackward(in, firstTensor + 2 * i, d[i], dIn, accumulate || i > 0, theta, offset, grad, gradOffset, b, h, h);
        }
    }

    /** LayerNorm of every point's {@code in} into its {@code out}, γ and β streamed from {@code w}; statsA or statsB. */
    void norm(Weights w, Activations[] a, int points, LayerPart in, LayerPart out, boolean first) {
        LayerNorm.forward(w, points, each(a, points, in), each(a, points, out), stats(a, points, first, layer),
                ofPoints(a, points, x -> x.gainCopy), a[0].rows, c.width(), c.lnEps());
    }

    /** {@code out = in·W + b (+ residual)} for every point, W and b streamed from {@code w}. */
    void dense(Weights w, Activations[] a, int points, LayerPart in, LayerPart residual, LayerPart out, int inWidth, int outWidth) {
        Linear.forward(w, points, each(a, points, in), residual == null ? null : each(a, points, residual), each(a, points, out),
                a[0].ones, a[0].rows, inWidth, outWidth);
    }

    /** The attention sublayer: {@code out = residual + Attn(in)·Wo + bo} (Q, K, V from {@code in}). */
    void attentionSublayer(Weights w, Activations[] a, int points, LayerPart in, LayerPart residual, LayerPart out) {
        project(w, a, points, each(a, points, in));
        attend(a, points);
        dense(w, a, points, s -> s.ctx, residual, out, h, h);
    }

    /**
     * The feed-forward sublayer: u = in·W1 + b1, g = gelu(u), {@code out = residual + g·W2 + b2}; in
     * a trace u is then replaced by gelu'(u), all the backward pass needs of it.
     */
    void feedForwardSublayer(Weights w, Activations[] a, int points, LayerPart in, LayerPart residual, LayerPart out) {
        dense(w, a, points, in, null, s -> s.u, h, f);
        for (int p = 0; p < points; p++) {
            LayerState s = a[p].layers[layer];
            if (a[p].trace) Gelu.forwardTraced(s.u, s.g, a[p].rows * f); // u becomes gelu'(u)
            else Gelu.forward(s.u, s.g, a[p].rows * f);
        }
        dense(w, a, points, s -> s.g, residual, out, f, h);
    }

    /**
     * Backward through {@link #feedForwardSublayer} (up-projection at block tensor {@code up}, down at
     * up + 2) given dL/d(out) in {@code b.dx}: dL/d(in) into (or, with accumulate, added to) {@code dIn}.
     */
    void feedForwardBackward(LayerState s, DenseBuffer in, int up, DenseBuffer dIn, boolean accumulate, DenseBuffer theta, int offset,
                             DenseBuffer grad, int gradOffset, BackwardBuffers b) {
        denseBackward(s.g, up + 2, b.dx, b.du, false, theta, offset, grad, gradOffset, b, f, h);
        Gelu.backward(s.u, b.du, b.du, b.rows * f); // s.u holds gelu'(u) in a trace
        denseBackward(in, up, b.du, dIn, accumulate, theta, offset, grad, gradOffset, b, h, f);
    }

    /**
     * Backward through {@link #attentionSublayer} (query weight at block tensor {@code query}, the
     * output projection at query + 6) given dL/d(out) in {@code b.dx}: dL/d(in) into (or added to) {@code dIn}.
     */
    void attentionBackward(Activations a, DenseBuffer in, int query, DenseBuffer dIn, boolean accumulate, DenseBuffer theta, int offset,
                           DenseBuffer grad, int gradOffset, BackwardBuffers b) {
        LayerState s = a.layers[layer];
        denseBackward(s.ctx, query + 6, b.dx, b.dctx, false, theta, offset, grad, gradOffset, b, h, h);
        attention.backward(s.q, s.k, s.v, s.probs, b.dctx, b.dq, b.dk, b.dv, b.dP, a.tokens, a.batch, a.len);
        projectBackward(s, in, theta, offset, grad, gradOffset, b, query, dIn, accumulate);
    }

    /** Backward through the dense layer whose weight is block tensor {@code k} (its bias k + 1); see {@link Linear#backward}. */
    void denseBackward(DenseBuffer in, int k, DenseBuffer dY, DenseBuffer dX, boolean accumulate, DenseBuffer theta, int offset,
                       DenseBuffer grad, int gradOffset, BackwardBuffers b, int inWidth, int outWidth) {
        Linear.backward(in, tensor(theta, offset, k), dY, dX, accumulate, tensor(grad, gradOffset, k), tensor(grad, gradOffset, k + 1),
                b.ones, b.rows, inWidth, outWidth);
    }

    /** Backward through the LayerNorm whose gain is block tensor {@code k} (its bias k + 1); see {@link LayerNorm#backward}. */
    void normBackward(DenseBuffer in, double[] stats, int k, DenseBuffer dOut, DenseBuffer dIn, boolean accumulate, DenseBuffer theta,
                      int offset, DenseBuffer grad, int gradOffset, int rows) {
        LayerNorm.backward(in, stats, tensor(theta, offset, k), dOut, dIn, accumulate, tensor(grad, gradOffset, k),
                tensor(grad, gradOffset, k + 1), rows, c.width());
    }

    /** View of block tensor {@code k} in a flat buffer whose layout starts at {@code offset}. */
    DenseBuffer tensor(DenseBuffer flat, int offset, int k) {
        ParameterLayout.Tensor t = layout.get(layout.blockTensor(layer, k));
        return flat.view(offset + t.offset(), t.length());
    }

    interface LayerPart {
        DenseBuffer of(LayerState s);
    }
}
