package onebyte.core.model.transformer;

/**
 * Token, position and (encoder) token-type embeddings: row n = b·T + t of the output is
 * {@code word[token(n)] + pos[t] (+ type[type(n)])}, summed in that order. The tables arrive from
 * {@link Weights} in blocks of whole rows; each block's rows are gathered as it passes.
 */
final class Embeddings {
    private Embeddings() {}

    /**
     * Reads one table of {@code rows} × {@code width} from {@code w} and writes (or, with {@code add},
     * adds) row {@code ids[i]} of it into row i of every point's {@code out}, for i < ids.length.
     */
    static void gather(Weights w, int points, DenseBuffer[] out, int[] ids, int rows, int width, boolean add) {
        for (int r0 = 0; r0 < rows; ) {
            int r = w.next() / width;
            for (int p = 0; p < points; p++) {
                DenseBuffer block = w.at(p);
                for (int i = 0; i < ids.length; i++) {
                    int id = ids[i];
                    if (id < r0 || id >= r0 + r) continue;
                    if (add) block.addTo((id - r0) * width, out[p], i * width, width);
                    else block.copyTo((id - r0) * width, out[p], i * width, width);
                }
            }
            r0 += r;
        }
    }

    /** dTable[ids[i]] += dOut[i] for every row i, in row order. */
    static void scatter(DenseBuffer dOut, int[] ids, DenseBuffer dTable, int width) {
        for (int i = 0; i < ids.length; i++) dOut.addTo(i * width, dTable, ids[i] * width, width);
    }
}
