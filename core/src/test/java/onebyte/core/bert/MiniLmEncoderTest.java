package onebyte.core.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import onebyte.core.model.transformer.DenseBuffer;
import onebyte.core.model.transformer.Transformer;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.text.Encoding;
import onebyte.core.text.WordPieceTokenizer;
import org.junit.jupiter.api.Test;

/** Our BLAS encoder with the weights OnnxBertReader takes out of all-MiniLM-L6-v2.onnx, against ONNX Runtime running that file. */
class MiniLmEncoderTest {
    static final List<String> SENTENCES = List.of(
            "Hello, world!", "The quick brown fox jumps over the lazy dog.", "a",
            "Héllo naïve café: accents are stripped before the word pieces.",
            "FREE!!! Click here to claim your $1,000,000 prize now!!!",
            "Subject: Re: meeting tomorrow at 10am? Thanks, Bob",
            "中文字符测试，句号。", "Привет, мир!", "emoji 😀 and unknown words like xyzzyplugh",
            "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
            "numbers 3.14159 and 1,000,000 and 007", "[MASK] tokens [SEP] inside the text",
            "Sentence embeddings map similar sentences to nearby vectors.",
            "I don't think so.", "Is this spam or ham?", "The weather today is sunny with a chance of rain.",
            "SELECT * FROM users WHERE id = 42;", "https://example.org/path?q=1", "Ω ≤ ∞", "ok",
            "Transformers use self-attention to mix information across tokens.", "What is the capital of France?");

    @Test
    void lastHiddenStateMatchesOnnxRuntimeWithin1e4() throws Exception {
        byte[] onnx;
        try (InputStream in = MiniLm.open(MiniLm.ONNX_RESOURCE)) {
            onnx = in.readAllBytes();
        }
        BertWeights weights = OnnxBertReader.read(onnx, "classpath:" + MiniLm.ONNX_RESOURCE);
        WordPieceTokenizer tok = MiniLm.tokenizer();
        int b = SENTENCES.size();
        int t = 0;
        for (String s : SENTENCES) t = Math.max(t, tok.pieces(s).length + 2);
        int[] tokens = new int[b * t];
        long[][] ids = new long[b][t];
        long[][] mask = new long[b][t];
        for (int i = 0; i < b; i++) {
            Encoding e = tok.encode(SENTENCES.get(i), t);
            for (int j = 0; j < t; j++) {
                tokens[i * t + j] = e.ids()[j];
                ids[i][j] = e.ids()[j];
                mask[i][j] = e.attentionMask()[j];
            }
        }

        Transformer encoder = new Transformer(weights.config());
        ParameterVector theta = new ParameterVector(encoder.numParams());
        weights.copyInto(theta, 0);
        DenseBuffer ours = encoder.forward(DenseBuffer.of(theta.array()), 0, tokens, null, b, t);

        float[][][] want;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(onnx, opts);
                 OnnxTensor idT = OnnxTensor.createTensor(env, ids);
                 OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
                 OnnxTensor typeT = OnnxTensor.createTensor(env, new long[b][t]);
                 OrtSession.Result r = session.run(Map.of("input_ids", idT, "attention_mask", maskT, "token_type_ids", typeT))) {
                want = (float[][][]) r.get("last_hidden_state").orElseThrow().getValue();
            }
        }
        int h = weights.config().width();
        double maxAbs = 0;
        double maxRef = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                // padded rows are left out: nothing reads them (pooling skips them); they differ from ONNX Runtime's by
                // up to 1.1e-4 (measured), the real tokens' rows by 3.9e-6
                if (mask[i][j] == 0) continue;
                for (int k = 0; k < h; k++) {
                    maxAbs = Math.max(maxAbs, Math.abs(ours.get((i * t + j) * h + k) - want[i][j][k]));
                    maxRef = Math.max(maxRef, Math.abs(want[i][j][k]));
                }
            }
        }
        assertEquals(t, want[0].length);
        assertTrue(maxRef > 0.5, "reference output looks empty: max |h| " + maxRef);
        assertTrue(maxAbs <= 1e-4, "max |ours - onnxruntime| = " + maxAbs + " over " + b + " sentences × " + t + " tokens");
    }
}
