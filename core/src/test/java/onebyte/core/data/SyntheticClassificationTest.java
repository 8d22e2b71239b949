package onebyte.core.data;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SyntheticClassificationTest {
    @Test
    void deterministicFromSeeds() {
        var a = new SyntheticClassification(8, 4, 0.7, 3).targetTrain(50, 1).all();
        var b = new SyntheticClassification(8, 4, 0.7, 3).targetTrain(50, 1).all();
        assertEquals(a.inputs(), b.inputs());
        assertEquals(a.labels(), b.labels());
        var c = new SyntheticClassification(8, 4, 0.7, 4).targetTrain(50, 1).all();
        assertNotEquals(a.inputs(), c.inputs());
    }

    @Test
    void zeroShiftTargetIsTheSource() {
        var task = new SyntheticClassification(8, 4, 0.0, 3);
        assertEquals(task.sample(SyntheticClassification.Domain.SOURCE, 20, 5).all().inputs(),
                task.sample(SyntheticClassification.Domain.TARGET, 20, 5).all().inputs());
        var shifted = new SyntheticClassification(8, 4, 1.0, 3);
        assertNotEquals(shifted.sample(SyntheticClassification.Domain.SOURCE, 20, 5).all().inputs(),
                shifted.sample(SyntheticClassification.Domain.TARGET, 20, 5).all().inputs());
    }
}
