package onebyte.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import onebyte.core.bert.MiniLm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our tokenizer against Hugging Face's own (the Rust tokenizers library, through DJL's JNI
 * wrapper, whose native library ships in its jar) on all-MiniLM-L6-v2's tokenizer.json.
 */
class WordPieceTokenizerTest {
    static Path json;
    static WordPieceTokenizer ours;

    @BeforeAll
    static void load(@TempDir Path dir) throws IOException {
        json = dir.resolve("tokenizer.json");
        try (InputStream in = MiniLm.open(MiniLm.TOKENIZER_RESOURCE)) {
            Files.copy(in, json);
        }
        ours = MiniLm.tokenizer();
    }

    private static HuggingFaceTokenizer reference(int maxLength) throws IOException {
        return HuggingFaceTokenizer.newInstance(json, Map.of(
                "maxLength", Integer.toString(maxLength), "truncation", "true", "padding", "max_length"));
    }

    @Test
    void idsAndMasksEqualHuggingFacesOnVariedStrings() throws IOException {
        List<String> strings = TokenizerStrings.all();
        assertTrue(strings.size() >= 200, "only " + strings.size() + " strings");
        List<String> mismatches = new ArrayList<>();
        for (int maxLength : new int[] {12, 256}) {
            try (HuggingFaceTokenizer ref = reference(maxLength)) {
                for (String s : strings) {
                    ai.djl.huggingface.tokenizers.Encoding want = ref.encode(s);
                    Encoding got = ours.encode(s, maxLength);
                    long[] ids = Arrays.stream(got.ids()).asLongStream().toArray();
                    long[] mask = Arrays.stream(got.attentionMask()).asLongStream().toArray();
                    if (!Arrays.equals(want.getIds(), ids) || !Arrays.equals(want.getAttentionMask(), mask)) {
                        mismatches.add(maxLength + " " + escape(s) + "\n   want " + Arrays.toString(want.getIds()) + " "
                                + Arrays.toString(want.getTokens()) + "\n   got  " + Arrays.toString(ids));
                    }
                }
            }
        }
        assertEquals(List.of(), mismatches, mismatches.size() + " of " + 2 * strings.size() + " differ");
    }

    @Test
    void longAndUnknownWordsAndTruncation() {
        int unk = ours.pieces("[UNK]")[0];
        assertEquals(100, unk);
        assertArrayEquals(new int[] {unk}, ours.pieces("y".repeat(101)));
        assertArrayEquals(new int[] {101, 7592, 102, 0, 0}, ours.encode("hello", 5).ids());
        assertArrayEquals(new int[] {1, 1, 1, 0, 0}, ours.encode("hello", 5).attentionMask());
        Encoding cut = ours.encode("one two three four five", 4);
        assertArrayEquals(new int[] {101, ours.pieces("one")[0], ours.pieces("two")[0], 102}, cut.ids());
        assertEquals(4, cut.length());
    }

    @Test
    void otherKindsOfTokenizerFileFailWithOneLine(@TempDir Path dir) throws IOException {
        Path bpe = dir.resolve("gpt2.json");
        Files.writeString(bpe, "{\"version\":\"1.0\",\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]}}");
        assertOneLine(bpe, "tokenizer model is BPE, expected WordPiece");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\n\"model\": {\"type\": \"WordPiece\",\n");
        assertOneLine(broken, "not JSON");
        Path missing = dir.resolve("missing.json");
        assertOneLine(missing, "no such file");
        Path other = dir.resolve("nfc.json");
        Files.writeString(other, Files.readString(json).replace("\"BertNormalizer\"", "\"NFC\""));
        assertOneLine(other, "normalizer is NFC, expected BertNormalizer");
    }

    private static void assertOneLine(Path file, String expected) {
        String m = assertThrows(IllegalArgumentException.class, () -> TokenizerJson.read(file)).getMessage();
        assertTrue(m.startsWith(file.toString()), m);
        assertTrue(m.contains(expected), m);
        assertEquals(1, m.lines().count(), m);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            if (c < 32 || (c >= 0x7f && c < 0xa0) || Character.getType(c) == Character.FORMAT) b.append(String.format("\\u%04x", c));
            else b.appendCodePoint(c);
        });
        return b.append('"').toString();
    }
}
