package onebyte.coordinator.scenario;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Typed, range-checked reads of a resolved scenario, with the origin (file:line) of each value,
 * the key and what was expected in every error ({@link ScenarioException}).
 */
class ScenarioValues {
    protected final Config c;

    ScenarioValues(Config c) {
        this.c = c;
    }

    static String where(ConfigOrigin o) {
        if (o == null) {
            return "(unknown)";
        }
        if (o.filename() != null) {
            return o.filename() + ":" + o.lineNumber();
        }
        if (o.resource() != null) {
            return "defaults " + o.resource() + ":" + o.lineNumber();
        }
        return o.description();
    }

    static String stripOrigin(ConfigException e) {
        String m = e.getMessage();
        if (e.origin() != null && m.startsWith(e.origin().description())) {
            m = m.substring(e.origin().description().length()).replaceFirst("^:\\s*", "");
        }
        return m;
    }

    static String describe(ConfigValue v) {
        return v.valueType().name().toLowerCase(Locale.ROOT) + " " + v.render(ConfigRenderOptions.concise());
    }

    final String str(String key) {
        try {
            return c.getString(key);
        } catch (ConfigException e) {
            throw typed(key, e, "a string");
        }
    }

    final Path path(String key) {
        return Path.of(str(key));
    }

    /**
     * A data file: a relative path written in a scenario file is relative to that file's
     * directory (a scenario runs from any directory); one given with --set, relative to the
     * working directory.
     */
    final Path inputPath(String key) {
        Path p = path(key);
        String file = c.getValue(key).origin().filename();
        if (p.isAbsolute() || file == null) return p;
        Path dir = Path.of(file).toAbsolutePath().getParent();
        return dir == null ? p : dir.resolve(p).normalize();
    }

    final List<String> strings(String key) {
        try {
            return c.getStringList(key);
        } catch (ConfigException e) {
            throw typed(key, e, "a list of strings");
        }
    }

    final List<Integer> ints(String key) {
        try {
            return c.getIntList(key);
        } catch (ConfigException e) {
            throw typed(key, e, "a list of whole numbers");
        }
    }

    final String oneOf(String key, String... allowed) {
        String v = str(key);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw fail(key, "expected one of " + String.join(", ", allowed) + ", got '" + v + "'");
    }

    final boolean bool(String key) {
        try {
            return c.getBoolean(key);
        } catch (ConfigException e) {
            throw typed(key, e, "true or false");
        }
    }

    final int intIn(String key, int lo, int hi) {
        int v;
        try {
            v = c.getInt(key);
        } catch (ConfigException e) {
            throw typed(key, e, "a whole number in " + lo + ".." + hi);
        }
        if (v < lo || v > hi) {
            fail(key, "expected a whole number in " + lo + ".." + hi + ", got " + v);
        }
        return v;
    }

    final long longAtLeast(String key, long min, String note) {
        long v;
        try {
            v = c.getLong(key);
        } catch (ConfigException e) {
            throw typed(key, e, "a whole number >= " + min + note);
        }
        if (v < min) {
            fail(key, "expected a whole number >= " + min + note + ", got " + v);
        }
        return v;
    }

    final double number(String key) {
        try {
            double v = c.getDouble(key);
            if (!Double.isFinite(v)) {
                fail(key, "expected a finite number, got " + v);
            }
            return v;
        } catch (ConfigException e) {
            throw typed(key, e, "a number");
        }
    }

    final double positive(String key) {
        double v = number(key);
        if (v <= 0) {
            fail(key, "expected a number > 0, got " + v);
        }
        return v;
    }

    final double nonNegative(String key) {
        double v = number(key);
        if (v < 0) {
            fail(key, "expected a number >= 0, got " + v);
        }
        return v;
    }

    final double fraction(String key, boolean zeroAllowed) {
        double v = number(key);
        if (v > 1 || v < 0 || !zeroAllowed && v == 0) {
            fail(key, "expected a fraction in " + (zeroAllowed ? "[0, 1]" : "(0, 1]") + ", got " + v);
        }
        return v;
    }

    final Duration deadline(String key) {
        double s = seconds(key);
        if (s <= 0) {
            fail(key, "expected a positive duration such as 5s or 500ms");
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    final double seconds(String key) {
        try {
            return durationSeconds(c, key);
        } catch (ConfigException e) {
            throw typed(key, e, "a duration such as 5s or 500ms");
        }
    }

    static double durationSeconds(Config cfg, String key) {
        Duration d = cfg.getDuration(key);
        if (d.isNegative()) {
            throw new ConfigException.BadValue(cfg.getValue(key).origin(), key, "expected a duration >= 0");
        }
        return d.toNanos() / 1e9;
    }

    final ScenarioException typed(String key, ConfigException e, String expected) {
        ConfigOrigin o = c.hasPath(key) ? c.getValue(key).origin() : e.origin();
        String got = c.hasPath(key) ? ", got " + describe(c.getValue(key)) : "";
        return new ScenarioException(where(o), key, "expected " + expected + got);
    }

    final ScenarioException fail(String key, String problem) {
        throw new ScenarioException(where(c.getValue(key).origin()), key, problem);
    }

    static String quoteKey(String k) {
        return k.matches("[A-Za-z0-9_-]+") ? k : '"' + k.replace("\"", "\\\"") + '"';
    }
}
