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
        double[] e = new double[width];
        double[] o = new double[width];
        for (int r0 = 0; r0 < rows; ) {
            int r = w.next() / width;
            DenseBuffer[] block = new DenseBuffer[points];
            for (int p = 0; p < points; p++) block[p] = w.at(p);
            for (int i = 0; i < ids.length; i++) {
                int id = ids[i];
                if (id < r0 || id >= r0 + r) continue;
                for (int p = 0; p < points; p++) {
                    block[p].read((id - r0) * width, e, 0, width);
                    if (add) {
                        out[p].read(i * width, o, 0, width);
                        for (int j = 0; j < width; j++) e[j] += o[j];
                    }
                    out[p].write(i * width, e, 0, width);
                }
            }
            r0 += r;
        }
    }

    /** dTable[ids[i]] += dOut[i] for every row i, in row order. */
    static void scatter(DenseBuffer dOut, int[] ids, DenseBuffer dTable, int width) {
        for (int i = 0; i < ids.length; i++) {
            int dst = ids[i] * width;
            int src = i * width;
            for (int j = 0; j < width; j++) dTable.add(dst + j, dOut.get(src + j));
        }
    }
}
