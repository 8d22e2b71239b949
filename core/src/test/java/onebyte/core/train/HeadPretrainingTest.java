package onebyte.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import onebyte.core.bert.MiniLm;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.model.Evaluation;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.text.TokenTextEncoder;
import org.junit.jupiter.api.Test;

/** minilm's pretraining: the encoder as pretrained, the head alone fitted to the source split's pooled embeddings. */
class HeadPretrainingTest {
    static {
        Models.limitNativeThreads(1);
    }

    private static final List<String> TEXTS = List.of(
            "win a free prize now", "cheap pills online, order today", "claim your cash reward", "you have won a lottery",
            "limited offer: buy one get one free", "urgent: your account needs verification, click here",
            "lunch at noon tomorrow?", "the meeting moved to thursday", "notes from the design review attached",
            "can you check my patch to the parser", "see you at the conference next week", "the build is green again");
    private static final int[] CLASSES = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0};

    @Test
    void onlyTheHeadMovesAndTheSourceLossFalls() throws IOException {
        ModelSpec spec = ModelSpec.minilm(2);
        InMemoryDataset data = new TokenTextEncoder(MiniLm.tokenizer(), 12).encode(TEXTS, CLASSES, 2);
        Pretrainer.Result none = SourcePretraining.run(spec, data, data, new SourcePretraining.Recipe(0, 0.01, 4), 42, null);
        Pretrainer.Result fitted = SourcePretraining.run(spec, data, data, new SourcePretraining.Recipe(150, 0.01, 4), 42, null);
        Pretrainer.Result again = SourcePretraining.run(spec, data, data, new SourcePretraining.Recipe(150, 0.01, 4), 42, null);
        assertEquals(again.parameters().hashHex(), fitted.parameters().hashHex(), "deterministic");
        Model model = Models.create(spec);
        int head = 22_565_376;
        float[] before = new float[head];
        float[] after = new float[head];
        none.parameters().get(0, before, 0, head);
        fitted.parameters().get(0, after, 0, head);
        assertArrayEquals(before, after, "the encoder is frozen");
        assertNotEquals(none.parameters().get(model.numParams() - 1), fitted.parameters().get(model.numParams() - 1), "the head bias moved");
        assertTrue(fitted.sourceLoss() < 0.5 * none.sourceLoss() && fitted.sourceAccuracy() == 1.0,
                "source loss " + none.sourceLoss() + " -> " + fitted.sourceLoss() + ", accuracy " + fitted.sourceAccuracy());
        // one forward per evaluation chunk gives the loss and the accuracy the separate passes give
        Evaluation e = model.evaluate(fitted.parameters(), data.batch(new int[] {0, 3, 7, 11}));
        assertEquals(model.loss(fitted.parameters(), data.batch(new int[] {0, 3, 7, 11})), e.loss());
        assertEquals(model.accuracy(fitted.parameters(), data.batch(new int[] {0, 3, 7, 11})), e.accuracy());
        assertEquals(2048 / 12, model.evaluationChunk(data));
    }
}
