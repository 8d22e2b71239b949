package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSpecTest {
    @Test
    void canonicalTextRoundTrips() {
        for (ModelSpec s : List.of(ModelSpec.logreg(32, 4), ModelSpec.mlp(32, List.of(64, 32), 4, "tanh"),
                ModelSpec.defaultTransformerLm(), ModelSpec.transformerLm(2, 2, 32, 16))) {
            assertEquals(s, ModelSpec.parse(s.toString()));
        }
        assertEquals(ModelSpec.mlp(10, List.of(20), 2, "relu"), ModelSpec.parse("mlp:inputs=10,hidden=20,classes=2"));
        assertEquals(ModelSpec.defaultTransformerLm(), ModelSpec.parse("transformer-lm"));
    }

    @Test
    void badSpecsFailWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("cnn:inputs=3"))
                .getMessage().contains("unknown model kind 'cnn'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("logreg:inputs=3"))
                .getMessage().contains("missing classes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("transformer-lm:width=30,heads=4"))
                .getMessage().contains("not divisible"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("logreg:inputs=3,classes=2,foo=1"))
                .getMessage().contains("unknown keys [foo]"));
    }
}
