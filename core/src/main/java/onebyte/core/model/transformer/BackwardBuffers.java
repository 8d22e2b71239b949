package onebyte.core.model.transformer;

/** Scratch of the backward pass for one batch shape: gradients of the activations, kept between calls. */
final class BackwardBuffers {
    final int rows;
    final int len;
    /** dL/dx of the residual stream, carried from block to block. */
    final DenseBuffer dx;
    final DenseBuffer tmp;
    final DenseBuffer dq;
    final DenseBuffer dk;
    final DenseBuffer dv;
    final DenseBuffer dctx;
    final DenseBuffer du;
    final DenseBuffer dP;
    final DenseBuffer ones;

    BackwardBuffers(TransformerConfig c, int batch, int len, DenseBuffer kind) {
        this.rows = batch * len;
        this.len = len;
        int nh = rows * c.width();
        dx = kind.like(nh);
        tmp = kind.like(nh);
        dq = kind.like(nh);
        dk = kind.like(nh);
        dv = kind.like(nh);
        dctx = kind.like(nh);
        du = kind.like(rows * c.ffn());
        dP = kind.like(len * len);
        ones = kind.like(rows);
        ones.fill(0, rows, 1);
    }

    boolean fits(int batch, int len, boolean isDouble) {
        return rows == batch * len && this.len == len && dx.isDouble() == isDouble;
    }
}
