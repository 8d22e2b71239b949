package onebyte.core.model;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import onebyte.core.model.transformer.DenseBuffer;
import onebyte.core.model.transformer.Transformer;

/**
 * The inference passes of {@link TransformerLm} over a large batch (a whole-set evaluation's chunk):
 * the batch is cut into sub-batches of {@link #SUB_BATCH} sequences, each run by one of two lanes
 * (its own {@link Transformer} and scratch), lane 0 on the calling thread, lane 1 on a helper
 * thread when the machine has two cores. Per-sequence results do not depend on the cut or the lane:
 * the per-row losses are written in row order and summed in that order by the caller, the correct
 * predictions counted; so the losses are the same bits on one or two cores, and a batch of at most
 * {@link #SUB_BATCH} sequences is exactly one forward pass. (A larger batch's loss can differ from
 * that of one pass over the whole batch, as the gradient pass runs it, in the last bits: OpenBLAS
 * picks its kernels by the matrices' sizes.)
 */
final class LmLanes {
    /** Most sequences of one forward pass. */
    static final int SUB_BATCH = 64;
    private static final boolean TWO_CORES = Runtime.getRuntime().availableProcessors() >= 2;
    private static volatile ExecutorService helper;

    /** What a lane computes on the logits of one sub-batch: per-row losses into {@code rowLoss[from..]}, returns the correct count. */
    interface RowScorer {
        int score(DenseBuffer logits, int firstRow, int rows, double[] rowLoss, float[] scratch);
    }

    private final Transformer[] lanes;
    private final float[][] scratch = {new float[0], new float[0]};

    /** Lane 0 runs on {@code first}; lane 1 gets a transformer of the same config when first needed. */
    LmLanes(Transformer first) {
        this.lanes = new Transformer[] {first, null};
    }

    /**
     * Runs every sub-batch of tokens [B, T] at θ, filling {@code rowLoss} [B·T]; returns the number of
     * correct predictions.
     */
    int run(DenseBuffer theta, int[] tokens, int batch, int len, double[] rowLoss, RowScorer scorer, int vocab) {
        int parts = (batch + SUB_BATCH - 1) / SUB_BATCH;
        int[] correct = new int[parts];
        if (parts == 1) {
            correct[0] = lane(0, theta, tokens, batch, len, rowLoss, scorer, vocab, parts);
            return correct[0];
        }
        if (lanes[1] == null) lanes[1] = new Transformer(lanes[0].config());
        Future<Integer> other = TWO_CORES ? helper().submit(() -> lane(1, theta, tokens, batch, len, rowLoss, scorer, vocab, parts)) : null;
        int total = lane(0, theta, tokens, batch, len, rowLoss, scorer, vocab, parts);
        try {
            total += other != null ? other.get() : lane(1, theta, tokens, batch, len, rowLoss, scorer, vocab, parts);
        } catch (InterruptedException e) {
            other.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the helper lane evaluated", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
        return total;
    }

    /** Lane k: sub-batches k, k + 2, ...; returns their correct predictions. */
    private int lane(int k, DenseBuffer theta, int[] tokens, int batch, int len, double[] rowLoss, RowScorer scorer, int vocab,
                     int parts) {
        if (scratch[k].length < vocab) scratch[k] = new float[vocab];
        int correct = 0;
        for (int p = k; p < parts; p += 2) {
            int b0 = p * SUB_BATCH;
            int b = Math.min(SUB_BATCH, batch - b0);
            int[] sub = java.util.Arrays.copyOfRange(tokens, b0 * len, (b0 + b) * len);
            DenseBuffer logits = lanes[k].forward(theta, 0, sub, null, b, len);
            correct += scorer.score(logits, b0 * len, b * len, rowLoss, scratch[k]);
        }
        return correct;
    }

    private static ExecutorService helper() {
        ExecutorService h = helper;
        if (h == null) {
            synchronized (LmLanes.class) {
                h = helper;
                if (h == null) {
                    h = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "onebyte-lm-eval");
                        t.setDaemon(true);
                        return t;
                    });
                    helper = h;
                }
            }
        }
        return h;
    }
}
