package onebyte.core.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One minibatch. For classification: {@code inputs} is [B, features] float32 and {@code labels}
 * is [B] holding class indices as float32. For the byte-level LM: {@code inputs} is [B, T] token
 * ids and {@code labels} is [B, T] next-token ids (both float32 holding integers).
 */
public record Batch(INDArray inputs, INDArray labels) {
    public int size() {
        return (int) inputs.size(0);
    }
}
