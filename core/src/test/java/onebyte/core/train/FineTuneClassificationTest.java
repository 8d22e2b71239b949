package onebyte.core.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.fed.FedSpeedClient;
import onebyte.core.fed.FedSpeedParams;
import onebyte.core.model.Checkpoint;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pretrain on the source, then fine-tune on the shifted target with SPSA and with FedSpeed. */
class FineTuneClassificationTest {
    static {
        Models.limitNativeThreads(1);
    }

    @TempDir Path dir;

    @Test
    void spsaAndFedSpeedRaiseTargetAccuracyFromAPretrainedCheckpoint() throws Exception {
        SyntheticClassification task = new SyntheticClassification(16, 4, 0.6, 21);
        ModelSpec spec = ModelSpec.mlp(16, List.of(32), 4, "relu");
        Model model = Models.create(spec);
        InMemoryDataset sourceTrain = task.sourceTrain(4000, 1);
        Dataset sourceEval = task.sourceEval(2000, 1);
        InMemoryDataset targetTrain = task.targetTrain(2000, 1);
        Batch targetEval = task.targetEval(2000, 1).all();

        long t0 = System.nanoTime();
        Pretrainer.Result pre = new Pretrainer(Pretrainer.Config.of(0.01, 400, 64, 5))
                .run(model, Models.initialParameters(spec, 5), sourceTrain, sourceEval, null);
        double accBefore = model.accuracy(pre.parameters(), targetEval);
        System.out.printf("pretrain: source acc %.3f loss %.3f; target acc %.3f (%.1fs)%n", pre.sourceAccuracy(),
                pre.sourceLoss(), accBefore, (System.nanoTime() - t0) / 1e9);

        assertTrue(pre.sourceAccuracy() > 0.95, "pretraining failed: " + pre.sourceAccuracy());
        assertTrue(accBefore < 0.8, "the shift should hurt the pretrained model: " + accBefore);
        Path file = dir.resolve("pre.ckpt");
        new Checkpoint(spec, pre.parameters(), 5, Map.of("data", "synthetic-classification")).write(file);
        Checkpoint ck = Checkpoint.read(file);
        assertTrue(ck.parameters().bitEquals(pre.parameters()));

        int steps = 3000;
        double lr = 0.002;
        ParameterVector spsa = ck.parameters().copy();
        t0 = System.nanoTime();
        SpsaTestLoop.run(model, spsa, targetTrain, 64, lr, steps, 123);
        double accSpsa = model.accuracy(spsa, targetEval);
        System.out.printf("spsa %d steps: target acc %.3f loss %.3f (%.1fs)%n", steps, accSpsa,
                model.loss(spsa, targetEval), (System.nanoTime() - t0) / 1e9);

        assertTrue(accSpsa > accBefore + 0.15, "SPSA: " + accBefore + " -> " + accSpsa);

        FedSpeedClient client = new FedSpeedClient();
        ParameterVector x = ck.parameters().copy();
        FedSpeedParams p = new FedSpeedParams(10, 0.1, 0.998, 0.1, 0.1, 1.0, 32, true);
        int localSteps = 0;
        double accFed = model.accuracy(x, targetEval);
        while (accFed < accSpsa && localSteps < steps) {
            x = client.localRound(model, x, targetTrain, p.forRound(localSteps / p.localSteps()), 77 + localSteps);
            localSteps += p.localSteps();
            accFed = model.accuracy(x, targetEval);
        }
        System.out.printf("fedspeed reaches %.3f after %d local steps%n", accFed, localSteps);
        assertTrue(accFed >= accSpsa && localSteps <= steps / 10,
                "FedSpeed should match SPSA's accuracy in a tenth of the steps: " + accFed + " after " + localSteps);
    }
}
