package onebyte.coordinator.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A real data set as {@code scripts/fetch-data.sh NAME} leaves it in the repository's
 * {@code data/}: skipped with the script's message only when it exits 3 (a registry could not be
 * reached); any other failure fails the test. (core's tests have the same for their module.)
 */
final class FetchedData {
    private FetchedData() {}

    static Path fetch(String name, String file) {
        Path root = Path.of("").toAbsolutePath().getParent();
        try {
            Process p = new ProcessBuilder(root.resolve("scripts/fetch-data.sh").toString(), name).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            int rc = p.waitFor();
            Assumptions.assumeFalse(rc == 3, () -> "skipped: cannot fetch " + name + ": " + out.strip());
            if (rc != 0) throw new AssertionError("fetch-data.sh " + name + " exited " + rc + ": " + out);
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
        Path f = root.resolve("data").resolve(file);
        if (!Files.isRegularFile(f)) throw new AssertionError("fetch-data.sh " + name + " left no " + f);
        return f;
    }
}
