package onebyte.core.data;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A real data set fetched by {@code scripts/fetch-data.sh} into the repository's {@code data/}.
 * The test is skipped (with the script's message) only when the script exits 3: a registry could
 * not be reached or a tool is missing; any other failure fails the test.
 */
final class FetchedData {
    private FetchedData() {}

    static Path path(String name) {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("scripts/fetch-data.sh"))) root = root.getParent();
        try {
            Process p = new ProcessBuilder(root.resolve("scripts/fetch-data.sh").toString(), name).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            int rc = p.waitFor();
            Assumptions.assumeFalse(rc == 3, () -> "skipped: cannot fetch " + name + ": " + out.strip());
            if (rc != 0) throw new AssertionError("scripts/fetch-data.sh " + name + " exited " + rc + ": " + out);
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
        return root.resolve("data").resolve(name.equals("wine") || name.equals("iris") ? name + ".csv" : name + ".jsonl");
    }
}
