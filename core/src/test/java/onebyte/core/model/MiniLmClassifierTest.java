package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import onebyte.core.bert.BertWeights;
import onebyte.core.bert.MiniLm;
import onebyte.core.data.Batch;
import onebyte.core.model.transformer.DenseBuffer;
import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.text.TokenizedTexts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code minilm} model kind: all-MiniLM-L6-v2's pretrained weights, mean pooling and a head (short batches only). */
class MiniLmClassifierTest {
    static {
        Models.limitNativeThreads(1);
    }

    static final ModelSpec SPEC = ModelSpec.minilm(2);
    static ParameterVector theta;

    @BeforeAll
    static void pretrained() {
        theta = Models.initialParameters(SPEC, 42);
    }

    @Test
    void specParsesAndNamesItsShape() {
        assertEquals(SPEC, ModelSpec.parse("minilm:classes=2"));
        assertEquals("minilm:classes=2", SPEC.toString());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("minilm"));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("minilm:classes=2,layers=3"));
        Model m = Models.create(SPEC);
        assertEquals(22_565_376 + 384 * 2 + 2, m.numParams());
        assertEquals("head.weight", m.tensors().get(m.tensors().size() - 2).name());
    }

    @Test
    void initialParametersAreThePretrainedEncoderThenASeededHead() throws IOException {
        BertWeights w = MiniLm.weights();
        float[] words = w.tensor("embeddings.word_embeddings.weight").data();
        float[] got = new float[1000];
        theta.get(0, got, 0, got.length);
        assertArrayEquals(java.util.Arrays.copyOf(words, 1000), got);
        float[] last = w.tensor("encoder.layer.5.output.LayerNorm.bias").data();
        int headAt = 22_565_376;
        float[] end = new float[last.length];
        theta.get(headAt - last.length, end, 0, end.length);
        assertArrayEquals(last, end);
        assertNotEquals(theta.get(headAt), Models.initialParameters(SPEC, 43).get(headAt), "the head ignores the seed");
        assertEquals(0f, theta.get(theta.length() - 1)); // head.bias
    }

    /** The pooled embedding is a sentence embedding: a paraphrase sits nearer than an unrelated sentence. */
    @Test
    void pooledEmbeddingsPutParaphrasesTogether() throws IOException {
        BertClassifier m = (BertClassifier) Models.create(SPEC);
        TokenizedTexts t = TokenizedTexts.of(List.of("A man is eating food.", "A man is eating a meal.", "The stock market fell sharply today."),
                new int[] {0, 0, 1}, 2, MiniLm.tokenizer(), 16);
        double[] e = m.embeddingsAt(DenseBuffer.of(theta.array()), t.dataset().all());
        double near = cosine(e, 0, 1, 384);
        double far = cosine(e, 0, 2, 384);
        assertTrue(near > 0.7 && far < 0.3 && near > far + 0.4, "cos(paraphrase) " + near + ", cos(unrelated) " + far);
    }

    @Test
    void spsaPointsAndCheckpointOnTheRealModel(@TempDir Path dir) throws IOException {
        BertClassifier m = (BertClassifier) Models.create(SPEC);
        Batch b = TokenizedTexts.of(List.of("win a free prize now", "see you at lunch"), new int[] {1, 0}, 2, MiniLm.tokenizer(), 8)
                .dataset().all();
        PerturbationStream stream = new PerturbationStream(Distribution.RADEMACHER, PerturbationStream.DEFAULT_CHUNK_SIZE);
        SymmetricPerturbedLoss.Losses l = m.symmetricPerturbedLosses(theta, stream, 5L, 1e-3f, b, 1);
        assertEquals(l, m.symmetricPerturbedLosses(theta, stream, 5L, 1e-3f, b, 2));
        double loss = m.loss(theta, b);
        assertTrue(Math.abs(l.plus() - loss) < 0.05 && Math.abs(l.minus() - loss) < 0.05 && l.plus() != l.minus(),
                "l+ " + l.plus() + " l- " + l.minus() + " at θ " + loss);

        Path f = dir.resolve("minilm.ckpt");
        new Checkpoint(SPEC, theta, 42, Map.of("data", "test")).write(f);
        Checkpoint back = Checkpoint.read(f);
        assertEquals(SPEC, back.spec());
        assertTrue(back.parameters().bitEquals(theta));
        assertEquals(loss, m.loss(back.parameters(), b));
    }

    private static double cosine(double[] e, int a, int b, int h) {
        double ab = 0, aa = 0, bb = 0;
        for (int j = 0; j < h; j++) {
            ab += e[a * h + j] * e[b * h + j];
            aa += e[a * h + j] * e[a * h + j];
            bb += e[b * h + j] * e[b * h + j];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
