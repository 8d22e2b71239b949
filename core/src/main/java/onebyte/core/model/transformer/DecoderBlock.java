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
        norm(w, a, points, s -> s.xIn, s -> s.lnA, true);
        attentionSublayer(w, a, points, s -> s.lnA, s -> s.xIn, s -> s.xMid);
        norm(w, a, points, s -> s.xMid, s -> s.lnB, false);
        feedForwardSublayer(w, a, points, s -> s.lnB, s -> s.xMid, s -> s.xOut);
    }

    @Override
    void backward(Activations a, DenseBuffer theta, int offset, DenseBuffer grad, int gradOffset, BackwardBuffers b) {
        LayerState s = a.layers[layer];
        int n = a.rows;
        feedForwardBackward(s, s.lnB, 12, b.tmp, false, theta, offset, grad, gradOffset, b);
        normBackward(s.xMid, s.statsB, 10, b.tmp, b.dx, true, theta, offset, grad, gradOffset, n);
        attentionBackward(a, s.lnA, 2, b.tmp, false, theta, offset, grad, gradOffset, b);
        normBackward(s.xIn, s.statsA, 0, b.tmp, b.dx, true, theta, offset, grad, gradOffset, n);
    }
}
