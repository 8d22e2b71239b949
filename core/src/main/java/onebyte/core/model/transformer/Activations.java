package onebyte.core.model.transformer;

/**
 * The buffers of one forward pass at one evaluation point for one batch shape [B, T], kept by the
 * {@link Transformer} between calls.
 *
 * <p><b>Inference</b> ({@link #inference}): the residual stream X [N, H] (N = B·T) is updated in
 * place; one [N, H] buffer holds, in turn, a LayerNorm output and the attention context; one work
 * buffer of N·max(3H, ffn, vocab) holds Q, K, V, then the FFN's inner activation (GELU in place),
 * then the decoder's logits; one T×T buffer the attention probabilities of one sequence and head.
 * That is 4·(N·(2H + max(3H, ffn, vocab)) + T²) bytes in float32, plus 32·N bytes of LayerNorm
 * statistics on the heap.
 *
 * <p><b>Trace</b> ({@link #trace}): every activation of every block in its own buffer (the backward
 * pass reads them), attention probabilities for every sequence and head.
 */
final class Activations {
    final int batch;
    final int len;
    final int rows;
    final boolean trace;
    final int[] tokens;
    final int[] types;
    /** Position t of every row n = b·T + t. */
    final int[] positions;
    /** Encoder: word + position + type embeddings (the input of the embedding LayerNorm). */
    final DenseBuffer embSum;
    final double[] embStats;
    final LayerState[] layers;
    /** The stack's output: the encoder's last_hidden_state, the decoder's input to ln_f. */
    final DenseBuffer out;
    /** Decoder: ln_f's output, its statistics and the logits [N, vocab]. */
    final DenseBuffer hf;
    final double[] statsF;
    final DenseBuffer logits;
    /** A column of N ones (bias gemms) and a copy of the current LayerNorm gain. */
    final DenseBuffer ones;
    final DenseBuffer gainCopy;

    private Activations(TransformerConfig c, int batch, int len, boolean trace, DenseBuffer kind) {
        this.batch = batch;
        this.len = len;
        this.rows = batch * len;
        this.trace = trace;
        this.tokens = new int[rows];
        this.types = new int[rows];
        this.positions = new int[rows];
        for (int i = 0; i < rows; i++) positions[i] = i % len;
        int n = rows;
        int h = c.width();
        int nh = n * h;
        this.layers = new LayerState[c.layers()];
        this.ones = kind.like(n);
        ones.fill(0, n, 1);
        this.gainCopy = kind.like(h);
        boolean enc = c.isEncoder();
        if (!trace) {
            DenseBuffer x = kind.like(nh);
            DenseBuffer hbuf = kind.like(nh);
            DenseBuffer work = kind.like(n * Math.max(3 * h, Math.max(c.ffn(), enc ? 0 : c.vocab())));
            DenseBuffer probs = kind.like(len * len);
            double[] stats = new double[2 * n];
            for (int l = 0; l < layers.length; l++) {
                LayerState s = new LayerState();
                s.xIn = s.xMid = s.xOut = x;
                s.lnA = enc ? x : hbuf;
                s.lnB = enc ? x : hbuf;
                s.ctx = hbuf;
                s.statsA = s.statsB = stats;
                s.q = work.view(0, nh);
                s.k = work.view(nh, nh);
                s.v = work.view(2 * nh, nh);
                s.u = s.g = work.view(0, n * c.ffn());
                s.probs = probs;
                layers[l] = s;
            }
            this.embSum = x;
            this.embStats = stats;
            this.out = x;
            this.hf = enc ? null : hbuf;
            this.statsF = stats;
            this.logits = enc ? null : work.view(0, n * c.vocab());
        } else {
            DenseBuffer x = kind.like(nh);
            for (int l = 0; l < layers.length; l++) {
                LayerState s = new LayerState();
                s.xIn = x;
                s.lnA = kind.like(nh);
                s.statsA = new double[2 * n];
                s.q = kind.like(nh);
                s.k = kind.like(nh);
                s.v = kind.like(nh);
                s.probs = kind.like(batch * c.heads() * len * len);
                s.ctx = kind.like(nh);
                s.xMid = kind.like(nh);
                s.lnB = kind.like(nh);
                s.statsB = new double[2 * n];
                s.u = kind.like(n * c.ffn());
                s.g = kind.like(n * c.ffn());
                s.xOut = x = kind.like(nh);
                layers[l] = s;
            }
            this.embSum = enc ? kind.like(nh) : null;
            this.embStats = new double[2 * n];
            this.out = x;
            this.hf = enc ? null : kind.like(nh);
            this.statsF = new double[2 * n];
            this.logits = enc ? null : kind.like(n * c.vocab());
        }
    }

    static Activations inference(TransformerConfig c, int batch, int len, DenseBuffer kind) {
        return new Activations(c, batch, len, false, kind);
    }

    static Activations trace(TransformerConfig c, int batch, int len, DenseBuffer kind) {
        return new Activations(c, batch, len, true, kind);
    }

    /** The first block's input (the embeddings' output). */
    DenseBuffer x0() {
        return layers[0].xIn;
    }

    boolean fits(int batch, int len, boolean isDouble) {
        return this.batch == batch && this.len == len && ones.isDouble() == isDouble;
    }
}
