package onebyte.coordinator.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that every {@code include} of a scenario file (and of the files it includes) resolves
 * before HOCON reads it: HOCON silently skips a missing {@code include "x.conf"} and reports a
 * missing {@code include required(...)} as "defaults x.conf:-1". A relative name resolves against
 * the including file's directory, then, as in HOCON, on the classpath; {@code file(...)} only the
 * former, {@code classpath(...)} only the latter. {@code url(...)} includes are not checked.
 */
final class ScenarioIncludes {
    private static final Pattern INCLUDE = Pattern.compile(
            "^\\s*include\\s+(?:required\\s*\\(\\s*)?(?:(file|classpath|url)\\s*\\(\\s*)?\"([^\"]+)\"");

    private ScenarioIncludes() {}

    static void check(Path file) {
        check(file, new HashSet<>());
    }

    private static void check(Path file, Set<Path> seen) {
        if (!seen.add(file.toAbsolutePath().normalize())) return;
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return; // HOCON's own read reports an unreadable file
        }
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = INCLUDE.matcher(lines.get(i));
            if (!m.find()) continue;
            String how = m.group(1) == null ? "" : m.group(1);
            String name = m.group(2);
            if (how.equals("url")) continue;
            Path sibling = file.toAbsolutePath().getParent().resolve(name);
            boolean onDisk = !how.equals("classpath") && Files.isRegularFile(sibling);
            boolean onClasspath = !how.equals("file") && ScenarioIncludes.class.getClassLoader().getResource(name) != null;
            if (onDisk) {
                check(sibling, seen);
            } else if (!onClasspath) {
                throw new ScenarioException(file + ":" + (i + 1), "include", "'" + name + "' not found (looked for "
                        + (how.equals("classpath") ? "a classpath resource" : sibling.normalize() + (how.equals("file") ? "" : " and a classpath resource"))
                        + ")");
            }
        }
    }
}
