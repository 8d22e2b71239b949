package onebyte.core.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face {@code tokenizer.json} of the BERT kind into a {@link WordPieceTokenizer}:
 * model {@code WordPiece}, normalizer {@code BertNormalizer} (or none), pre-tokenizer {@code
 * BertPreTokenizer}, post-processor {@code TemplateProcessing} ([CLS] $A [SEP]) or {@code
 * BertProcessing}. Anything else (a BPE or Unigram model, another normalizer, ...) is a one-line
 * {@link IllegalArgumentException} naming the file and what was expected.
 */
public final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerJson() {}

    public static WordPieceTokenizer read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file (expected a Hugging Face tokenizer.json)");
        }
    }

    /** Reads a stream (e.g. a classpath resource); {@code source} names it in errors. */
    public static WordPieceTokenizer read(InputStream in, String source) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new IllegalArgumentException(source + (line > 0 ? ":" + line : "") + ": not JSON (" + e.getOriginalMessage()
                    .lines().findFirst().orElse("") + "); expected a Hugging Face tokenizer.json");
        }
        try {
            if (root == null || !root.isObject()) throw new IllegalArgumentException("not a JSON object");
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
    }

    private static WordPieceTokenizer fromJson(JsonNode root) {
        JsonNode model = root.path("model");
        String type = model.path("type").asText("");
        if (!type.equals("WordPiece")) {
            throw new IllegalArgumentException("tokenizer model is " + (type.isEmpty() ? "missing" : type)
                    + ", expected WordPiece (a BERT tokenizer.json)");
        }
        Map<String, Integer> vocab = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt()) throw new IllegalArgumentException("vocab entry '" + e.getKey() + "' has no integer id");
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        if (vocab.isEmpty()) throw new IllegalArgumentException("WordPiece model has no vocab");
        WordPiece wordPiece = new WordPiece(vocab, model.path("unk_token").asText("[UNK]"),
                model.path("continuing_subword_prefix").asText("##"), model.path("max_input_chars_per_word").asInt(100));
        List<AddedToken> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            if (t.path("single_word").asBoolean(false)) {
                throw new IllegalArgumentException("added token '" + t.path("content").asText() + "' is single_word, which is not supported");
            }
            added.add(new AddedToken(t.path("content").asText(), t.path("id").asInt(), t.path("normalized").asBoolean(false)));
        }
        String pre = root.path("pre_tokenizer").path("type").asText("");
        if (!pre.equals("BertPreTokenizer")) {
            throw new IllegalArgumentException("pre_tokenizer is " + (pre.isEmpty() ? "missing" : pre) + ", expected BertPreTokenizer");
        }
        int[] clsSep = clsAndSep(root.path("post_processor"), vocab);
        JsonNode padding = root.path("padding");
        int padId = padding.has("pad_id") ? padding.path("pad_id").asInt() : id(vocab, "[PAD]");
        return new WordPieceTokenizer(normalizer(root.path("normalizer")), wordPiece, added, clsSep[0], clsSep[1], padId);
    }

    private static BertNormalizer normalizer(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return null;
        String type = n.path("type").asText("");
        if (!type.equals("BertNormalizer")) throw new IllegalArgumentException("normalizer is " + type + ", expected BertNormalizer");
        JsonNode strip = n.path("strip_accents");
        return new BertNormalizer(n.path("clean_text").asBoolean(true), n.path("handle_chinese_chars").asBoolean(true),
                strip.isBoolean() ? strip.asBoolean() : null, n.path("lowercase").asBoolean(true));
    }

    /** [CLS] and [SEP] ids from the post-processor, which must put them around the single sequence. */
    private static int[] clsAndSep(JsonNode p, Map<String, Integer> vocab) {
        String type = p.path("type").asText("");
        if (type.equals("BertProcessing")) return new int[] {p.path("cls").path(1).asInt(), p.path("sep").path(1).asInt()};
        if (!type.equals("TemplateProcessing")) {
            throw new IllegalArgumentException("post_processor is " + (type.isEmpty() ? "missing" : type)
                    + ", expected TemplateProcessing or BertProcessing");
        }
        JsonNode single = p.path("single");
        if (single.size() != 3 || !single.path(0).has("SpecialToken") || !single.path(1).has("Sequence") || !single.path(2).has("SpecialToken")) {
            throw new IllegalArgumentException("post_processor template is " + single + ", expected [CLS] $A [SEP]");
        }
        return new int[] {specialId(p, single.path(0).path("SpecialToken").path("id").asText(), vocab),
            specialId(p, single.path(2).path("SpecialToken").path("id").asText(), vocab)};
    }

    private static int specialId(JsonNode processor, String token, Map<String, Integer> vocab) {
        JsonNode ids = processor.path("special_tokens").path(token).path("ids");
        if (ids.size() == 1) return ids.path(0).asInt();
        return id(vocab, token);
    }

    private static int id(Map<String, Integer> vocab, String token) {
        Integer id = vocab.get(token);
        if (id == null) throw new IllegalArgumentException("token " + token + " is not in the vocabulary");
        return id;
    }
}
