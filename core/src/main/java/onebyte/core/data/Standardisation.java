package onebyte.core.data;

/**
 * Per-feature z-scores: {@code (x − mean) / std} with the mean and (population) standard
 * deviation of a reference set; a constant feature (std 0) only loses its mean.
 */
record Standardisation(float[] mean, float[] std) {
    static Standardisation of(float[] rows, int width) {
        int n = rows.length / width;
        float[] mean = new float[width];
        float[] std = new float[width];
        for (int j = 0; j < width; j++) {
            double s = 0;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                double v = rows[i * width + j];
                s += v;
                ss += v * v;
            }
            double m = n == 0 ? 0 : s / n;
            double var = n == 0 ? 0 : Math.max(0, ss / n - m * m);
            mean[j] = (float) m;
            std[j] = var > 0 ? (float) Math.sqrt(var) : 1f;
        }
        return new Standardisation(mean, std);
    }

    /** The standardised rows with these classes. */
    InMemoryDataset dataset(float[] rows, int[] classes, int numClasses) {
        int width = mean.length;
        float[] x = new float[rows.length];
        for (int i = 0; i < rows.length; i++) x[i] = (rows[i] - mean[i % width]) / std[i % width];
        float[] y = new float[classes.length];
        for (int i = 0; i < y.length; i++) y[i] = classes[i];
        return new InMemoryDataset(width, x, 1, y, numClasses);
    }
}
