package onebyte.core.model.transformer;

/**
 * The pre-LN causal block: {@code xMid = xIn + Attn(LN1(xIn))}, {@code xOut = xMid + FFN(LN2(xMid))}
 * with FFN(x) = gelu(x·W1 + b1)·W2 + b2. Tensors 0–15: ln1.gain, ln1.bias, q, q.bias, k, k.bias,
 * v, v.bias, out, out.bias, ln2.gain, ln2.bias, up, up.bias, down, down.bias.
 */
final class DecoderBlock extends Block {
    DecoderBlock(TransformerConfig c, ParameterLayout layout, int layer) {
        super(c, layout, layer);
    }

    @Override
    void forward(Weights w, Activations[] a, int points) {
        int n = a[0].rows;
        int h = c.width();
        int f = c.ffn();
        DenseBuffer[] gains = ofPoints(a, points, x -> x.gainCopy);
        LayerNorm.forward(w, points, each(a, points, s -> s.xIn), each(a, points, s -> s.lnA), stats(a, points, true, layer), gains,
                n, h, c.lnEps());
        project(w, a, points, each(a, points, s -> s.lnA));
        attend(a, points);
        Linear.forward(w, points, each(a, points, s -> s.ctx), each(a, points, s -> s.xIn), each(a, points, s -> s.xMid),
                a[0].ones, n, h, h);
        LayerNorm.forward(w, points, each(a, points, s -> s.xMid), each(a, points, s -> s.lnB), stats(a, points, false, layer),
                gains, n, h, c.lnEps());
        Linear.forward(w, points, each(a, points, s -> s.lnB), null, each(a, points, s -> s.u), a[0].ones, n, h, f);
        for (int p = 0; p < points; p++) Gelu.forward(a[p].layers[layer].u, a[p].layers[layer].g, n * f);
        Linear.forward(w, points, each(a, points, s -> s.g), each(a, points, s -> s.xMid), each(a, points, s -> s.xOut),
                a[0].ones, n, f, h);
    }

    @Override
    void backward(Activations a, DenseBuffer theta, int offset, DenseBuffer grad, int gradOffset, BackwardBuffers b) {
        LayerState s = a.layers[layer];
        int n = a.rows;
        int h = c.width();
        int f = c.ffn();
        Linear.backward(s.g, tensor(theta, offset, 14), b.dx, b.du, false, tensor(grad, gradOffset, 14),
                tensor(grad, gradOffset, 15), b.ones, n, f, h);
        Gelu.backward(s.u, b.du, b.du, n * f);
        Linear.backward(s.lnB, tensor(theta, offset, 12), b.du, b.tmp, false, tensor(grad, gradOffset, 12),
                tensor(grad, gradOffset, 13), b.ones, n, h, f);
        LayerNorm.backward(s.xMid, s.statsB, tensor(theta, offset, 10), b.tmp, b.dx, true, tensor(grad, gradOffset, 10),
                tensor(grad, gradOffset, 11), n, h);
        Linear.backward(s.ctx, tensor(theta, offset, 8), b.dx, b.dctx, false, tensor(grad, gradOffset, 8),
                tensor(grad, gradOffset, 9), b.ones, n, h, h);
        attention.backward(s.q, s.k, s.v, s.probs, b.dctx, b.dq, b.dk, b.dv, b.dP, a.tokens, a.batch, a.len);
        projectBackward(s, s.lnA, theta, offset, grad, gradOffset, b, 2, b.tmp, false);
        LayerNorm.backward(s.xIn, s.statsA, tensor(theta, offset, 0), b.tmp, b.dx, true, tensor(grad, gradOffset, 0),
                tensor(grad, gradOffset, 1), n, h);
    }
}
