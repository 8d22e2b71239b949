package onebyte.core.text;

/**
 * A token of tokenizer.json's {@code added_tokens} ([CLS], [SEP], [MASK], ...): where its text
 * occurs in the input it becomes this id whole, before any other step. {@code normalized} tokens
 * are looked for in the normalized text, the others in the raw text.
 */
public record AddedToken(String content, int id, boolean normalized) {
    public AddedToken {
        if (content.isEmpty()) throw new IllegalArgumentException("added token " + id + " has no text");
    }
}
