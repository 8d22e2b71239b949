package onebyte.core.text;

import java.util.List;
import onebyte.core.data.InMemoryDataset;

/**
 * Labelled texts as a classification dataset for a BERT model: example i's inputs are the
 * {@code maxLength} token ids of {@code texts[i]} ([CLS] pieces [SEP] [PAD]…, as float32; 0 is
 * [PAD], so the attention mask is "id ≠ 0"), its label the class id {@code labels[i]}.
 */
public final class TokenizedTexts {
    private final InMemoryDataset dataset;
    private final int truncated;

    private TokenizedTexts(InMemoryDataset dataset, int truncated) {
        this.dataset = dataset;
        this.truncated = truncated;
    }

    /**
     * @param labels class ids in [0, numClasses), one per text
     * @param maxLength tokens per example, [CLS] and [SEP] included
     */
    public static TokenizedTexts of(List<String> texts, int[] labels, int numClasses, WordPieceTokenizer tokenizer, int maxLength) {
        if (texts.size() != labels.length) {
            throw new IllegalArgumentException(texts.size() + " texts but " + labels.length + " labels");
        }
        if (tokenizer.padId() != 0) {
            throw new IllegalArgumentException("the tokenizer pads with id " + tokenizer.padId() + "; text batches need [PAD] = 0");
        }
        float[] inputs = new float[texts.size() * maxLength];
        float[] y = new float[labels.length];
        int truncated = 0;
        for (int i = 0; i < texts.size(); i++) {
            int[] pieces = tokenizer.pieces(texts.get(i));
            if (pieces.length > maxLength - 2) truncated++;
            int[] ids = tokenizer.encode(pieces, maxLength).ids();
            for (int t = 0; t < maxLength; t++) inputs[i * maxLength + t] = ids[t];
            y[i] = labels[i];
        }
        return new TokenizedTexts(new InMemoryDataset(maxLength, inputs, 1, y, numClasses), truncated);
    }

    public InMemoryDataset dataset() {
        return dataset;
    }

    /** How many texts had more pieces than fit and were cut. */
    public int truncated() {
        return truncated;
    }
}
