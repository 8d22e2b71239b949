package onebyte.core.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.SyntheticText;
import onebyte.core.fed.FedSpeedClient;
import onebyte.core.fed.FedSpeedParams;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;

/** Small byte LM: pretrain on language A, fine-tune on the A/B mixture with SPSA and with FedSpeed. */
class FineTuneLanguageModelTest {
    static {
        Models.limitNativeThreads(1);
    }

    @Test
    void spsaAndFedSpeedLowerTheTargetLoss() {
        SyntheticText text = new SyntheticText(1.0, 13);
        ModelSpec spec = ModelSpec.transformerLm(1, 2, 32, 16);
        Model model = Models.create(spec);
        int ctx = spec.context();
        InMemoryDataset sourceTrain = text.sourceTrain(2000, ctx, 1);
        Dataset sourceEval = text.sourceEval(64, ctx, 1);
        InMemoryDataset targetTrain = text.targetTrain(2000, ctx, 1);
        Batch targetEval = text.targetEval(64, ctx, 1).all();

        long t0 = System.nanoTime();
        Pretrainer.Result pre = new Pretrainer(Pretrainer.Config.of(5e-3, 200, 16, 5))
                .run(model, Models.initialParameters(spec, 5), sourceTrain, sourceEval, null);
        double before = model.loss(pre.parameters(), targetEval);
        System.out.printf("LM pretrain: source loss %.3f; target loss %.3f (%.1fs)%n", pre.sourceLoss(), before,
                (System.nanoTime() - t0) / 1e9);
        assertTrue(pre.sourceLoss() < before - 0.2, "the shift should hurt: source " + pre.sourceLoss() + " target " + before);

        int steps = 1000;
        double lr = 1e-4;
        ParameterVector spsa = pre.parameters().copy();
        t0 = System.nanoTime();
        SpsaTestLoop.run(model, spsa, targetTrain, 8, lr, steps, 321);
        double afterSpsa = model.loss(spsa, targetEval);
        System.out.printf("LM spsa %d steps lr %g: target loss %.5f -> %.5f (%.1fs)%n", steps, lr, before, afterSpsa,
                (System.nanoTime() - t0) / 1e9);

        assertTrue(afterSpsa < before - 0.08, "SPSA should lower the target loss clearly: " + before + " -> " + afterSpsa);

        FedSpeedClient client = new FedSpeedClient();
        ParameterVector x = pre.parameters().copy();
        FedSpeedParams p = new FedSpeedParams(10, 0.05, 0.998, 0.1, 0.05, 1.0, 16, true);
        int localSteps = 0;
        double fed = before;
        t0 = System.nanoTime();
        while (fed > afterSpsa && localSteps < steps) {
            x = client.localRound(model, x, targetTrain, p.forRound(localSteps / p.localSteps()), 55 + localSteps);
            localSteps += p.localSteps();
            fed = model.loss(x, targetEval);
        }
        System.out.printf("LM fedspeed reaches %.3f after %d local steps (%.1fs)%n", fed, localSteps, (System.nanoTime() - t0) / 1e9);
        assertTrue(fed <= afterSpsa && localSteps <= steps / 10,
                "FedSpeed should reach SPSA's loss in a tenth of the steps: " + fed + " after " + localSteps);
    }
}
