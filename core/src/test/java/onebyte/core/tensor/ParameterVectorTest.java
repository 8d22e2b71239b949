package onebyte.core.tensor;

import onebyte.core.tensor.ParameterVector;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ParameterVectorTest {
    @Test
    void bulkAccessSeesTheSameMemoryAsTheNd4jArray() {
        ParameterVector v = ParameterVector.of(new float[] {1f, 2f, 3f, 4f});
        assertEquals(3f, v.array().getFloat(2));
        v.array().putScalar(1, 7f);
        assertEquals(7f, v.get(1));
        v.set(0, -1f);
        assertEquals(-1f, v.array().getFloat(0));
    }

    @Test
    void viewWithOffsetIsAddressedFromItsOwnStart() {
        var big = Nd4j.arange(0, 10).castTo(DataType.FLOAT);
        var sub = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 7));
        ParameterVector v = new ParameterVector(sub);
        assertEquals(4, v.length());
        assertEquals(3f, v.get(0));
        assertEquals(6f, v.get(3));
    }

    @Test
    void copyIsBitIdenticalAndIndependent() {
        ParameterVector v = ParameterVector.of(new float[] {1.5f, Float.MIN_VALUE, -0f, 1e30f});
        ParameterVector c = v.copy();
        assertTrue(c.bitEquals(v));
        assertArrayEquals(v.hash(), c.hash());
        c.set(2, 0f); // +0 vs -0 differ in bits
        assertFalse(c.bitEquals(v));
        assertNotEquals(v.hashHex(), c.hashHex());
    }
}
