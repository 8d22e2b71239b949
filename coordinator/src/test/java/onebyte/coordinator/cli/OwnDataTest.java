package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import onebyte.core.model.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's own files, end to end: real fetched data (iris, SpamAssassin) run, pretrain, and bad files fail in one line. */
class OwnDataTest {
    @TempDir Path dir;

    private Path scenario(String text) throws Exception {
        Path f = dir.resolve("own.conf");
        Files.writeString(f, "run.output-dir = \"" + dir.resolve("runs") + "\"\n" + text);
        return f;
    }

    @Test
    void aCsvScenarioWithoutACheckpointRuns() throws Exception {
        Path iris = FetchedData.fetch("iris", "iris.csv");
        Path s = scenario("data { kind = csv, path = \"" + iris + "\", label-column = species }\n"
                + "model.hidden = [8]\nbudget.rounds = 20\neval.every = 10\n");
        RunCommandTest.Console c = RunCommandTest.Console.execute("run", s.toString());
        assertEquals(0, c.code(), c.out());
        assertTrue(c.out().contains("target pool 84, target eval 21, source 36 train + 9 eval (a stratified 0.3 of the file); "
                + "classes setosa → 0, versicolor → 1, virginica → 2"), c.out());
        assertTrue(c.out().contains("pretrained mlp:inputs=4,hidden=8,classes=3"), c.out());
        try (var runs = Files.list(dir.resolve("runs"))) {
            Path run = runs.findFirst().orElseThrow();
            assertTrue(Files.readString(run.resolve(RunCommand.DATA)).contains("setosa → 0"));
        }
    }

    @Test
    void pretrainWorksOnLabelledTextWithGroups() throws Exception {
        Path spam = FetchedData.fetch("spam-assassin", "spam-assassin.jsonl");
        Path s = scenario("data { kind = text, path = \"" + spam + "\", groups = [hard-ham-1, spam-2], source-groups = [spam-1, easy-ham-2], "
                + "hashed-features = 256 }\nmodel.kind = logreg\npretrain.steps = 30\n");
        Path out = dir.resolve("spam.ckpt");
        RunCommandTest.Console c = RunCommandTest.Console.execute("pretrain", s.toString(), "--out", out.toString());
        assertEquals(0, c.code(), c.out());
        assertTrue(c.out().contains("classes ham → 0, spam → 1"), c.out());
        Checkpoint cp = Checkpoint.read(out);
        assertEquals("logreg:inputs=256,classes=2", cp.spec().toString());
        assertTrue(cp.metadata().get("data").contains("groups [spam-1, easy-ham-2]"), cp.metadata().toString());
        // no source split and pretrain.steps = 0: the model's own initialisation
        Path none = scenario("data { kind = text, path = \"" + spam + "\", source-fraction = 0, hashed-features = 64 }\n"
                + "model.kind = logreg\npretrain.steps = 0\n");
        c = RunCommandTest.Console.execute("pretrain", none.toString(), "--out", dir.resolve("init.ckpt").toString());
        assertEquals(0, c.code(), c.out());
        assertTrue(c.out().contains("no pretraining (pretrain.steps = 0)"), c.out());
    }

    @Test
    void badFilesAndKeysEndInOneLine() throws Exception {
        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "a,b,y\n1,2,x\n3,4,z\n5,6\n");
        BadInputTest.assertOneLine(BadInputTest.run("run", scenario("data { kind = csv, path = \"" + ragged + "\", label-column = y }\n").toString()),
                "onebyte: " + ragged + ":4: expected 3 columns (as the header [a, b, y]), got 2");
        Path single = dir.resolve("single.jsonl");
        Files.writeString(single, "{\"text\": \"a\", \"label\": \"ham\"}\n{\"text\": \"b\", \"label\": \"ham\"}\n");
        BadInputTest.assertOneLine(BadInputTest.run("pretrain", scenario("data { kind = text, path = \"" + single + "\" }\n").toString(),
                "--out", dir.resolve("x.ckpt").toString()), single + ": a classifier needs at least two classes, the labels are only [ham]");
        Path latin1 = dir.resolve("latin1.tsv");
        Files.write(latin1, "text\tlabel\ncaf\u00e9\t1\nok\t0\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        BadInputTest.assertOneLine(BadInputTest.run("run", scenario("data { kind = text, path = \"" + latin1 + "\" }\n").toString()),
                latin1 + ":2: not UTF-8 text (malformed byte 0xE9");
        BadInputTest.assertOneLine(BadInputTest.run("run", scenario("data { kind = csv, path = \"" + ragged + "\", source-fraction = 0 }\n").toString()),
                "pretrain.steps: data.kind = csv with no source split to pretrain on");
    }
}
