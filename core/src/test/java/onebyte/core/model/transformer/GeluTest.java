package onebyte.core.model.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

class GeluTest {
    @Test
    void floatErfIsWithinFloatResolutionOfErf() {
        double worst = 0;
        for (double x = -8; x <= 8; x += 1e-4) worst = Math.max(worst, Math.abs(Erf.erf(x) - Gelu.erf((float) x)));
        assertTrue(worst < 5e-7, "max |erf error| " + worst);
    }

    @Test
    void float32AndFloat64GeluAgree() {
        int n = 9000; // more than one chunk
        DenseBuffer f = DenseBuffer.floats(n);
        DenseBuffer d = DenseBuffer.doubles(n);
        for (int i = 0; i < n; i++) {
            double u = -9 + 18.0 * i / n;
            f.set(i, u);
            d.set(i, u);
        }
        DenseBuffer fo = DenseBuffer.floats(n);
        DenseBuffer dOut = DenseBuffer.doubles(n);
        Gelu.forward(f, fo, n);
        Gelu.forward(d, dOut, n);
        DenseBuffer slope32 = DenseBuffer.floats(n);
        DenseBuffer slope64 = DenseBuffer.doubles(n);
        f.copyTo(0, slope32, 0, n);
        d.copyTo(0, slope64, 0, n);
        DenseBuffer traced32 = DenseBuffer.floats(n);
        DenseBuffer traced64 = DenseBuffer.doubles(n);
        Gelu.forwardTraced(slope32, traced32, n);
        Gelu.forwardTraced(slope64, traced64, n);
        assertArrayEquals(fo.toFloatArray(), traced32.toFloatArray(), "the training form gives the same bits");
        DenseBuffer ones32 = DenseBuffer.floats(n);
        DenseBuffer ones64 = DenseBuffer.doubles(n);
        ones32.fill(0, n, 1);
        ones64.fill(0, n, 1);
        Gelu.backward(slope32, ones32, ones32, n);
        Gelu.backward(slope64, ones64, ones64, n);
        for (int i = 0; i < n; i++) {
            double u = d.get(i);
            assertEquals(dOut.get(i), traced64.get(i), 0.0, "float64 gelu(" + u + ")");
            assertEquals(dOut.get(i), fo.get(i), 1e-6 * Math.max(1, Math.abs(u)), "gelu(" + u + ")");
            assertEquals(ones64.get(i), ones32.get(i), 1e-6, "gelu'(" + u + ")");
        }
        assertEquals(0.8413447460685429, dOut.get(n / 2 + 500) / d.get(n / 2 + 500), 1e-12); // gelu(1)/1 = Φ(1)
    }

    @Test
    void negativeExpIsWithinTwoFloatUlpOfExp() {
        double worstAbs = 0;
        double worstRel = 0;
        for (float x = 0; x >= -40; x -= 1e-4f) {
            double e = Math.exp(x);
            double y = Exp.negative(x);
            worstAbs = Math.max(worstAbs, Math.abs(y - e));
            if (x >= -1) worstRel = Math.max(worstRel, Math.abs(y / e - 1));
        }
        assertTrue(worstAbs < 2e-7, "max absolute error " + worstAbs);
        assertTrue(worstRel < 4e-7, "max relative error on [-1, 0] " + worstRel);
        assertEquals(1f, Exp.negative(0f), 0f);
        assertEquals(1f, Exp.negative(3f), 0f, "x > 0 is taken as 0");
        assertEquals(0f, Exp.negative(-100f), 0f);
        assertEquals(0f, Exp.negative(Float.NEGATIVE_INFINITY), 0f);
    }
}
