package onebyte.core.model.transformer;

/**
 * The post-LN bidirectional block of BertLayer: {@code xMid = LN1(xIn + Attn(xIn))},
 * {@code xOut = LN2(xMid + FFN(xMid))} with FFN(x) = gelu(x·W1 + b1)·W2 + b2 and the padding mask.
 * Tensors 0–15: query, query.bias, key, key.bias, value, value.bias, attention.output.dense,
 * its bias, attention.output.LayerNorm weight, bias, intermediate.dense, bias, output.dense, bias,
 * output.LayerNorm weight, bias.
 */
final class EncoderBlock extends Block {
    EncoderBlock(TransformerConfig c, ParameterLayout layout, int layer) {
        super(c, layout, layer);
    }

    @Override
    void forward(Weights w, Activations[] a, int points) {
        int n = a[0].rows;
        int h = c.width();
        int f = c.ffn();
        DenseBuffer[] gains = ofPoints(a, points, x -> x.gainCopy);
        project(w, a, points, each(a, points, s -> s.xIn));
        attend(a, points);
        Linear.forward(w, points, each(a, points, s -> s.ctx), each(a, points, s -> s.xIn), each(a, points, s -> s.lnA),
                a[0].ones, n, h, h);
        LayerNorm.forward(w, points, each(a, points, s -> s.lnA), each(a, points, s -> s.xMid), stats(a, points, true, layer),
                gains, n, h, c.lnEps());
        Linear.forward(w, points, each(a, points, s -> s.xMid), null, each(a, points, s -> s.u), a[0].ones, n, h, f);
        for (int p = 0; p < points; p++) Gelu.forward(a[p].layers[layer].u, a[p].layers[layer].g, n * f);
        Linear.forward(w, points, each(a, points, s -> s.g), each(a, points, s -> s.xMid), each(a, points, s -> s.lnB),
                a[0].ones, n, f, h);
        LayerNorm.forward(w, points, each(a, points, s -> s.lnB), each(a, points, s -> s.xOut), stats(a, points, false, layer),
                gains, n, h, c.lnEps());
    }

    @Override
    void backward(Activations a, DenseBuffer theta, int offset, DenseBuffer grad, int gradOffset, BackwardBuffers b) {
        LayerState s = a.layers[layer];
        int n = a.rows;
        int h = c.width();
        int f = c.ffn();
        LayerNorm.backward(s.lnB, s.statsB, tensor(theta, offset, 14), b.dx, b.dx, false, tensor(grad, gradOffset, 14),
                tensor(grad, gradOffset, 15), n, h);
        Linear.backward(s.g, tensor(theta, offset, 12), b.dx, b.du, false, tensor(grad, gradOffset, 12),
                tensor(grad, gradOffset, 13), b.ones, n, f, h);
        Gelu.backward(s.u, b.du, b.du, n * f);
        Linear.backward(s.xMid, tensor(theta, offset, 10), b.du, b.dx, true, tensor(grad, gradOffset, 10),
                tensor(grad, gradOffset, 11), b.ones, n, h, f);
        LayerNorm.backward(s.lnA, s.statsA, tensor(theta, offset, 8), b.dx, b.dx, false, tensor(grad, gradOffset, 8),
                tensor(grad, gradOffset, 9), n, h);
        Linear.backward(s.ctx, tensor(theta, offset, 6), b.dx, b.dctx, false, tensor(grad, gradOffset, 6),
                tensor(grad, gradOffset, 7), b.ones, n, h, h);
        attention.backward(s.q, s.k, s.v, s.probs, b.dctx, b.dq, b.dk, b.dv, b.dP, a.tokens, a.batch, a.len);
        projectBackward(s, s.xIn, theta, offset, grad, gradOffset, b, 0, b.dx, true);
    }
}
