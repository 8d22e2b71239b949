package onebyte.core.data;

import java.util.List;

/**
 * Turns labelled texts into a classification data set a model reads: hashed features for the
 * dense models ({@link HashedTextFeatures}), token ids for a transformer.
 */
@FunctionalInterface
public interface TextEncoder {
    InMemoryDataset encode(List<String> texts, int[] classes, int numClasses);
}
