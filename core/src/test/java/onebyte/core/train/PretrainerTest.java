package onebyte.core.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import org.junit.jupiter.api.Test;

class PretrainerTest {
    static {
        Models.limitNativeThreads(1);
    }

    @Test
    void adamLowersTheSourceLossDeterministicallyAndReportsProgress() {
        SyntheticClassification task = new SyntheticClassification(8, 3, 0.5, 2);
        ModelSpec spec = ModelSpec.logreg(8, 3);
        Model m = Models.create(spec);
        InMemoryDataset train = task.sourceTrain(1000, 1);
        var evalSet = task.sourceEval(500, 1);
        var eval = evalSet.all();
        var init = Models.initialParameters(spec, 1);
        double before = m.loss(init, eval);
        List<Double> reports = new ArrayList<>();
        Pretrainer.Config cfg = new Pretrainer.Config(0.05, 200, 32, 9, 0.9, 0.999, 1e-8, 0, 50);
        Pretrainer.Result r = new Pretrainer(cfg).run(m, init, train, evalSet, (step, loss) -> reports.add(loss));
        assertEquals(4, reports.size());
        assertTrue(r.sourceLoss() < 0.6 * before, before + " -> " + r.sourceLoss());
        assertTrue(reports.get(3) < reports.get(0));
        assertTrue(r.parameters().bitEquals(new Pretrainer(cfg).run(m, init, train, evalSet, null).parameters()));
        assertFalse(r.parameters().bitEquals(init));
    }
}
