package onebyte.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import onebyte.core.bert.MiniLm;
import onebyte.core.data.Batch;
import onebyte.core.data.InMemoryDataset;
import org.junit.jupiter.api.Test;

class TokenizedTextsTest {
    @Test
    void textsBecomePaddedIdRowsAndTheirLabels() throws IOException {
        WordPieceTokenizer tok = MiniLm.tokenizer();
        TokenizedTexts t = TokenizedTexts.of(List.of("Hello world", "win a FREE prize now", "ok"), new int[] {0, 1, 0}, 2, tok, 6);
        InMemoryDataset d = t.dataset();
        assertEquals(3, d.size());
        assertEquals(6, d.inputWidth());
        assertEquals(1, t.truncated()); // "win a free prize now": 5 pieces, 4 fit
        Batch b = d.batch(new int[] {0, 2});
        assertArrayEquals(new float[] {101, 7592, 2088, 102, 0, 0, 101, 7929, 102, 0, 0, 0}, b.inputs().data().asFloat());
        assertArrayEquals(new float[] {0, 0}, b.labels().data().asFloat());
        assertEquals(1, d.label(1));
        assertThrows(IllegalArgumentException.class, () -> TokenizedTexts.of(List.of("a"), new int[] {0, 1}, 2, tok, 6));
        assertThrows(IllegalArgumentException.class, () -> TokenizedTexts.of(List.of("a"), new int[] {2}, 2, tok, 6));
    }
}
