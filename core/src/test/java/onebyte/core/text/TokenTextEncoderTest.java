package onebyte.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import onebyte.core.bert.MiniLm;
import onebyte.core.data.InMemoryDataset;
import org.junit.jupiter.api.Test;

/** Token rows for the BERT classifier: the head-of-text shortcut gives exactly the ids of tokenizing the whole text. */
class TokenTextEncoderTest {
    @Test
    void aPrefixCutAtWhitespaceGivesTheIdsOfTheWholeText() throws IOException {
        WordPieceTokenizer tok = MiniLm.tokenizer();
        SplittableRandom rng = new SplittableRandom(7);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            StringBuilder b = new StringBuilder();
            int parts = 5 + rng.nextInt(400); // short texts and texts far longer than any prefix
            for (int p = 0; p < parts; p++) {
                b.append(TokenizerStrings.HAND.get(rng.nextInt(TokenizerStrings.HAND.size())));
                b.append(rng.nextInt(4) == 0 ? "\n" : rng.nextInt(9) == 0 ? "" : " ");
            }
            texts.add(b.toString());
        }
        for (int maxTokens : new int[] {2, 3, 16, 64, 128}) {
            TokenTextEncoder enc = new TokenTextEncoder(tok, maxTokens);
            int[] classes = new int[texts.size()];
            InMemoryDataset rows = enc.encode(texts, classes, 2);
            assertEquals(maxTokens, rows.inputWidth());
            for (int i = 0; i < texts.size(); i++) {
                int[] want = tok.encode(texts.get(i), maxTokens).ids();
                float[] got = rows.inputs(i);
                int[] ids = new int[got.length];
                for (int t = 0; t < got.length; t++) ids[t] = (int) got[t];
                assertArrayEquals(want, ids, "text " + i + " at " + maxTokens + " tokens");
            }
        }
    }

    @Test
    void tokensPerTextAreBounded() throws IOException {
        WordPieceTokenizer tok = MiniLm.tokenizer();
        assertThrows(IllegalArgumentException.class, () -> new TokenTextEncoder(tok, 1));
        assertThrows(IllegalArgumentException.class, () -> new TokenTextEncoder(tok, TokenTextEncoder.MAX_TOKENS + 1));
        assertEquals(64, TokenTextEncoder.miniLm(64).maxTokens());
    }
}
