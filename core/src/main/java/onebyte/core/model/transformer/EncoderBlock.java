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
        attentionSublayer(w, a, points, s -> s.xIn, s -> s.xIn, s -> s.lnA);
        norm(w, a, points, s -> s.lnA, s -> s.xMid, true);
        feedForwardSublayer(w, a, points, s -> s.xMid, s -> s.xMid, s -> s.lnB);
        norm(w, a, points, s -> s.lnB, s -> s.xOut, false);
    }

    @Override
    void backward(Activations a, DenseBuffer theta, int offset, DenseBuffer grad, int gradOffset, BackwardBuffers b) {
        LayerState s = a.layers[layer];
        int n = a.rows;
        normBackward(s.lnB, s.statsB, 14, b.dx, b.dx, false, theta, offset, grad, gradOffset, n);
        feedForwardBackward(s, s.xMid, 10, b.dx, true, theta, offset, grad, gradOffset, b);
        normBackward(s.lnA, s.statsA, 8, b.dx, b.dx, false, theta, offset, grad, gradOffset, n);
        attentionBackward(a, s.xIn, 0, b.dx, true, theta, offset, grad, gradOffset, b);
    }
}
