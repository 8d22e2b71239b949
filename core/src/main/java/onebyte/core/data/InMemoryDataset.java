package onebyte.core.data;

import java.util.Arrays;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Examples held as heap float arrays: example i has inputs {@code inputs[i·inputWidth ..]} and
 * labels {@code labels[i·labelWidth ..]}. Classification: labelWidth 1 (class index as a float);
 * LM: inputs and labels both T token ids.
 */
public final class InMemoryDataset implements Dataset {
    private final int inputWidth;
    private final int labelWidth;
    private final float[] inputs;
    private final float[] labels;
    private final int size;
    private final int numClasses;

    /**
     * @param numClasses number of classes (classification) or vocabulary size (LM); labels must lie
     *     in [0, numClasses)
     */
    public InMemoryDataset(int inputWidth, float[] inputs, int labelWidth, float[] labels, int numClasses) {
        if (inputWidth <= 0 || labelWidth <= 0) throw new IllegalArgumentException("widths must be positive");
        if (inputs.length % inputWidth != 0 || labels.length % labelWidth != 0
                || inputs.length / inputWidth != labels.length / labelWidth) {
            throw new IllegalArgumentException("inputs (" + inputs.length + " / " + inputWidth + ") and labels ("
                    + labels.length + " / " + labelWidth + ") disagree on the number of examples");
        }
        for (float l : labels) {
            if (l < 0 || l >= numClasses || l != Math.rint(l)) {
                throw new IllegalArgumentException("label " + l + " is not an integer in [0, " + numClasses + ")");
            }
        }
        this.inputWidth = inputWidth;
        this.labelWidth = labelWidth;
        this.inputs = inputs;
        this.labels = labels;
        this.size = inputs.length / inputWidth;
        this.numClasses = numClasses;
    }

    @Override
    public int size() {
        return size;
    }

    public int inputWidth() {
        return inputWidth;
    }

    public int labelWidth() {
        return labelWidth;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Class index of example i (classification datasets, labelWidth 1). */
    public int label(int i) {
        if (labelWidth != 1) throw new IllegalStateException("not a classification dataset (label width " + labelWidth + ")");
        return (int) labels[i];
    }

    /** A copy of example i's inputs. */
    public float[] inputs(int i) {
        return Arrays.copyOfRange(inputs, i * inputWidth, (i + 1) * inputWidth);
    }

    @Override
    public Batch batch(int[] indices) {
        int b = indices.length;
        float[] x = new float[b * inputWidth];
        float[] y = new float[b * labelWidth];
        for (int j = 0; j < b; j++) {
            int i = indices[j];
            if (i < 0 || i >= size) throw new IndexOutOfBoundsException("example " + i + " of " + size);
            System.arraycopy(inputs, i * inputWidth, x, j * inputWidth, inputWidth);
            System.arraycopy(labels, i * labelWidth, y, j * labelWidth, labelWidth);
        }
        return new Batch(
                Nd4j.create(x, new long[] {b, inputWidth}, 'c'),
                labelWidth == 1 ? Nd4j.create(y, new long[] {b}, 'c') : Nd4j.create(y, new long[] {b, labelWidth}, 'c'));
    }

    /** The examples at these indices (copied), in this order. */
    public InMemoryDataset subset(int[] indices) {
        float[] x = new float[indices.length * inputWidth];
        float[] y = new float[indices.length * labelWidth];
        for (int j = 0; j < indices.length; j++) {
            System.arraycopy(inputs, indices[j] * inputWidth, x, j * inputWidth, inputWidth);
            System.arraycopy(labels, indices[j] * labelWidth, y, j * labelWidth, labelWidth);
        }
        return new InMemoryDataset(inputWidth, x, labelWidth, y, numClasses);
    }

    /** All indices 0..size−1 (e.g. to evaluate on the whole set as one batch). */
    public int[] allIndices() {
        int[] all = new int[size];
        for (int i = 0; i < size; i++) all[i] = i;
        return all;
    }

    /** The whole dataset as one batch. */
    public Batch all() {
        return batch(allIndices());
    }
}
