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

    Block(TransformerConfig c, ParameterLayout layout, int layer) {
        this.c = c;
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
        int n = b.rows;
        int h = c.width();
        DenseBuffer[] d = {b.dq, b.dk, b.dv};
        for (int i = 0; i < 3; i++) {
            int t = firstTensor + 2 * i;
            Linear.backward(in, tensor(theta, offset, t), d[i], dIn, accumulate || i > 0, tensor(grad, gradOffset, t),
                    tensor(grad, gradOffset, t + 1), b.ones, n, h, h);
        }
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
