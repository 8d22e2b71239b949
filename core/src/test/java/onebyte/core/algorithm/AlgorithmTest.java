package onebyte.core.algorithm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlgorithmTest {
    @Test
    void everyAlgorithmIsFoundByItsName() {
        assertEquals(List.of("spsa", "spsa-f32", "fedspeed", "fedavg"), Algorithm.names());
        for (Algorithm a : Algorithm.values()) {
            assertSame(a, Algorithm.of(a.id()));
        }
        assertSame(Algorithm.FEDAVG, Algorithm.of(" FedAvg "));
    }

    @Test
    void theFamilyDecidesTheCluster() {
        assertTrue(Algorithm.SPSA.isSpsa());
        assertTrue(Algorithm.SPSA_F32.isSpsa());
        assertTrue(Algorithm.FEDSPEED.isFederated());
        assertTrue(Algorithm.FEDAVG.isFederated());
        assertFalse(Algorithm.FEDAVG.isSpsa());
    }

    @Test
    void spsaF32FixesItsCodecAndSpsaTakesTheConfiguredOne() {
        assertEquals("f32", Algorithm.SPSA_F32.codec("log8"));
        assertEquals("sign", Algorithm.SPSA.codec("sign"));
        assertThrows(IllegalStateException.class, () -> Algorithm.FEDSPEED.codec("log8"));
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Algorithm.of("fedsped"));
        assertEquals("unknown algorithm 'fedsped'; expected one of [spsa, spsa-f32, fedspeed, fedavg]", e.getMessage());
    }
}
