package onebyte.coordinator.scenario;

import onebyte.core.algorithm.Algorithm;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import onebyte.core.fed.FedSpeedServer;

/**
 * Reads a scenario file (HOCON) over the defaults in {@code onebyte/scenario-defaults.conf},
 * applies command-line overrides, and validates everything before anything starts: unknown
 * keys, wrong types and out-of-range values fail with file:line, the key and what was expected.
 */
public final class ScenarioLoader {
    private static final String DEFAULTS = "onebyte/scenario-defaults.conf";
    private static final Set<String> EVENT_KEYS = Set.of("at", "round", "action", "node", "count", "sync", "class");

    private final Config defaults;

    public ScenarioLoader() {
        this.defaults = ConfigFactory.parseResources(ScenarioLoader.class.getClassLoader(), DEFAULTS,
                ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /** Loads and validates {@code file} with {@code overrides} ("key=value" each) applied on top. */
    public Scenario load(Path file, List<String> overrides) {
        if (!Files.isRegularFile(file)) {
            throw new ScenarioException(file.toString(), "(file)", "no such scenario file");
        }
        ScenarioIncludes.check(file);
        Config user;
        try {
            user = ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
            for (int i = overrides.size() - 1; i >= 0; i--) {
                String o = overrides.get(i);
                if (!o.contains("=")) {
                    throw new ScenarioException("command line", o, "expected key=value");
                }
                Config c = ConfigFactory.parseString(o, ConfigParseOptions.defaults().setOriginDescription("command line --set " + o));
                user = c.withFallback(user);
            }
            user = user.resolve();
        } catch (ConfigException.Parse e) {
            throw new ScenarioException(where(e.origin()), "(syntax)", stripOrigin(e));
        } catch (ConfigException e) {
            throw new ScenarioException(where(e.origin()), "(config)", stripOrigin(e));
        }
        checkKeys(user.root(), defaults.root(), "");
        Config c = user.withFallback(defaults).resolve();
        return new Reader(c, file).scenario(render(c));
    }

    /**
     * The scenario of the defaults alone (what a scenario file that sets nothing gives): the one
     * source of default values for settings built without a scenario file (CLI flags, tests, benches).
     */
    public Scenario defaults() {
        Config c = defaults.resolve();
        return new Reader(c, Path.of(DEFAULTS)).scenario(render(c));
    }

    private static String render(Config c) {
        return c.root().render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
    }

    /** A resolved scenario text with the clock section replaced by {@code clock}'s values. */
    static String withClock(String resolved, Scenario.Clock clock) {
        Config c = ConfigFactory.parseString(resolved)
                .withValue("clock.costs", ConfigValueFactory.fromAnyRef(clock.measured() ? "measured" : "fixed"))
                .withValue("clock.forward-us", ConfigValueFactory.fromAnyRef(clock.forwardUs()))
                .withValue("clock.gradient-us", ConfigValueFactory.fromAnyRef(clock.gradientUs()))
                .withValue("clock.element-ns", ConfigValueFactory.fromAnyRef(clock.elementNs()));
        return render(c);
    }

    /** Every key in the user's tree must exist in the defaults (node classes and events have templates). */
    private void checkKeys(ConfigObject user, ConfigObject template, String prefix) {
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            ConfigValue value = e.getValue();
            if (prefix.equals("nodes.classes")) {
                if (value.valueType() != ConfigValueType.OBJECT) {
                    throw new ScenarioException(where(value.origin()), key, "expected a node class object { uplink-mbps, downlink-mbps, latency-ms }");
                }
                checkKeys((ConfigObject) value, (ConfigObject) defaults.getValue("nodes.classes.default"), key);
                continue;
            }
            ConfigValue t = template.get(e.getKey());
            if (t == null) {
                throw new ScenarioException(where(value.origin()), key, "unknown key; expected one of " + template.keySet());
            }
            if (key.equals("churn.events")) {
                checkEvents(value, key);
            } else if (t.valueType() == ConfigValueType.OBJECT) {
                if (value.valueType() != ConfigValueType.OBJECT) {
                    throw new ScenarioException(where(value.origin()), key, "expected an object { ... }, got " + describe(value));
                }
                checkKeys((ConfigObject) value, (ConfigObject) t, key);
            }
        }
    }

    private static void checkEvents(ConfigValue value, String key) {
        if (value.valueType() != ConfigValueType.LIST) {
            throw new ScenarioException(where(value.origin()), key, "expected a list of events [ { at = 10s, action = join }, ... ]");
        }
        for (ConfigValue ev : (ConfigList) value) {
            if (ev.valueType() != ConfigValueType.OBJECT) {
                throw new ScenarioException(where(ev.origin()), key, "expected an event object { at, action, node, ... }, got " + describe(ev));
            }
            for (Map.Entry<String, ConfigValue> f : ((ConfigObject) ev).entrySet()) {
                if (!EVENT_KEYS.contains(f.getKey())) {
                    throw new ScenarioException(where(f.getValue().origin()), key + "." + f.getKey(),
                            "unknown event key; expected one of " + EVENT_KEYS);
                }
            }
        }
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

    private static String stripOrigin(ConfigException e) {
        String m = e.getMessage();
        if (e.origin() != null && m.startsWith(e.origin().description())) {
            m = m.substring(e.origin().description().length()).replaceFirst("^:\\s*", "");
        }
        return m;
    }

    private static String describe(ConfigValue v) {
        return v.valueType().name().toLowerCase(Locale.ROOT) + " " + v.render(ConfigRenderOptions.concise());
    }

    /** Typed, range-checked reads with the origin of each value in every error. */
    private static final class Reader {
        private final Config c;
        private final Path file;

        Reader(Config c, Path file) {
            this.c = c;
            this.file = file;
        }

        Scenario scenario(String resolved) {
            String id = str("run.id");
            if (id.isEmpty()) {
                String name = file.getFileName().toString();
                id = name.endsWith(".conf") ? name.substring(0, name.length() - 5) : name;
            }
            if (!id.matches("[A-Za-z0-9._-]+")) {
                fail("run.id", "expected letters, digits, '.', '_' or '-' only, got '" + id + "'");
            }
            List<Algorithm> algorithms = new java.util.ArrayList<>();
            for (String a : strings("run.algorithms")) {
                try {
                    algorithms.add(Algorithm.of(a));
                } catch (IllegalArgumentException e) {
                    fail("run.algorithms", e.getMessage());
                }
            }
            if (algorithms.isEmpty()) {
                fail("run.algorithms", "expected at least one of " + Algorithm.names());
            }
            if (Set.copyOf(algorithms).size() != algorithms.size()) {
                fail("run.algorithms", "an algorithm is listed twice: " + algorithms);
            }
            long checkpointEvery = c.getLong("run.checkpoint-every");
            if (checkpointEvery < 0) {
                fail("run.checkpoint-every", "expected a number of rounds >= 0 (0 = no saved states), got " + checkpointEvery);
            }
            var run = new Scenario.Run(id, c.getLong("run.seed"), path("run.output-dir"), List.copyOf(algorithms), checkpointEvery);

            String kind = oneOf("model.kind", "logreg", "mlp", "transformer-lm", "minilm");
            List<Integer> hidden = ints("model.hidden");
            for (int h : hidden) {
                if (h < 1 || h > 1 << 16) {
                    fail("model.hidden", "expected layer sizes in 1..65536, got " + h);
                }
            }
            var model = new Scenario.ModelSection(kind, List.copyOf(hidden), intIn("model.layers", 1, 64),
                    intIn("model.heads", 1, 64), intIn("model.width", 4, 8192), intIn("model.context", 2, 8192),
                    str("model.checkpoint").isEmpty() ? null : path("model.checkpoint"));
            if (model.width() % model.heads() != 0) {
                fail("model.heads", "expected a divisor of model.width = " + model.width() + ", got " + model.heads());
            }
            if (model.checkpoint() != null && !Files.isRegularFile(model.checkpoint())) {
                fail("model.checkpoint", "no such checkpoint file: " + model.checkpoint());
            }
            var pretrain = new Scenario.Pretrain(intIn("pretrain.steps", 0, 10_000_000), positive("pretrain.lr"),
                    intIn("pretrain.batch-size", 1, 1 << 20));

            String dataKind = oneOf("data.kind", "synthetic", "csv", "synthetic-text", "text");
            boolean lm = kind.equals("transformer-lm");
            if (lm != dataKind.equals("synthetic-text")) {
                fail("data.kind", "model.kind = " + kind + " needs " + (lm ? "synthetic-text" : "synthetic, csv or text") + " data, got " + dataKind);
            }
            if (kind.equals("minilm") && !dataKind.equals("text")) {
                fail("data.kind", "model.kind = minilm reads labelled text (data.kind = text), got " + dataKind);
            }
            Path dataPath = str("data.path").isEmpty() ? null : inputPath("data.path");
            boolean files = dataKind.equals("csv") || dataKind.equals("text");
            if (files && (dataPath == null || !Files.exists(dataPath))) {
                fail("data.path", "data.kind = " + dataKind + " needs an existing file" + (dataKind.equals("text") ? " or directory" : "")
                        + ", got '" + str("data.path") + "'" + (dataPath == null ? "" : " (" + dataPath.toAbsolutePath() + " does not exist)"));
            }
            String partition = str("data.partition");
            checkPartition(partition);
            var data = new Scenario.Data(dataKind, intIn("data.features", 1, 1 << 20), intIn("data.classes", 2, 1 << 16),
                    fraction("data.shift", true), intIn("data.train-size", 1, 100_000_000), intIn("data.eval-size", 1, 100_000_000),
                    dataPath, str("data.label-column"), partition, intIn("data.shards", 0, 1 << 20), bool("data.reuse-shards"),
                    files ? dataFiles(dataKind, model, pretrain) : null);
            Map<String, Scenario.NodeClass> classes = new LinkedHashMap<>();
            for (String name : c.getObject("nodes.classes").keySet()) {
                String p = "nodes.classes." + quoteKey(name);
                classes.put(name, new Scenario.NodeClass(name, positive(p + ".uplink-mbps"), positive(p + ".downlink-mbps"),
                        nonNegative(p + ".latency-ms")));
            }
            String initialClass = str("nodes.class");
            if (!classes.containsKey(initialClass)) {
                fail("nodes.class", "expected one of the classes " + classes.keySet() + ", got '" + initialClass + "'");
            }
            int initial = intIn("nodes.initial", 1, 4096);
            if (initial < 3 && algorithms.stream().anyMatch(Algorithm::isSpsa)) {
                // see README: with keep-majority downing a 2-member cluster dies with its lowest address
                fail("nodes.initial", "expected at least 3 nodes for a cluster run, got " + initial);
            }
            var nodes = new Scenario.Nodes(initial, initialClass, Map.copyOf(classes));

            var budget = new Scenario.Budget(longAtLeast("budget.rounds", 1, ""), nonNegative("budget.virtual-seconds"),
                    longAtLeast("budget.bytes", 0, " (0 = no limit)"));
            double target = nonNegative("eval.target-accuracy");
            if (target > 1) {
                fail("eval.target-accuracy", "expected a fraction in 0..1, got " + target);
            }
            int every = intIn("eval.every", 1, 1_000_000);
            int federatedEvery = intIn("eval.federated-every", 0, 1_000_000);
            var eval = new Scenario.Eval(every, target, federatedEvery == 0 ? every : federatedEvery);

            var spsa = new Scenario.Spsa(positive("spsa.eps"), positive("spsa.lr"), fraction("spsa.lr-decay", false),
                    intIn("spsa.samples", 1, 1024),
                    oneOf("spsa.codec", "log8", "f32", "sign", "paper"), oneOf("spsa.distribution", "gaussian", "rademacher"),
                    intIn("spsa.chunk-size", 64, 1 << 24), intIn("spsa.batch-size", 1, 1 << 20), deadline("spsa.round-deadline"),
                    ChurnEvent.Sync.valueOf(oneOf("spsa.join-sync", "auto", "snapshot", "replay").toUpperCase(Locale.ROOT)),
                    nonNegative("spsa.weight-decay"), oneOf("spsa.shared-regeneration", "on", "off").equals("on"));
            var fedspeed = new Scenario.FedSpeed(intIn("fedspeed.local-steps", 1, 100_000), positive("fedspeed.lr"),
                    fraction("fedspeed.lr-decay", false), nonNegative("fedspeed.prox"), nonNegative("fedspeed.rho"),
                    fraction("fedspeed.alpha", true), fraction("fedspeed.participation", false),
                    intIn("fedspeed.batch-size", 1, 1 << 20), deadline("fedspeed.round-deadline"),
                    FedSpeedServer.Form.parse(oneOf("fedspeed.server", "paper", "simulator")));
            var fedavg = new Scenario.FedAvg(intIn("fedavg.local-steps", 1, 100_000), positive("fedavg.lr"),
                    fraction("fedavg.lr-decay", false), fraction("fedavg.participation", false),
                    intIn("fedavg.batch-size", 1, 1 << 20), deadline("fedavg.round-deadline"));

            var random = new Scenario.RandomChurn(seconds("churn.random.interval"),
                    fraction("churn.random.join-probability", true), fraction("churn.random.leave-probability", true),
                    fraction("churn.random.crash-probability", true), intIn("churn.random.min-members", 1, 4096),
                    intIn("churn.random.max-members", 1, 4096), seconds("churn.random.until"));
            if (random.maxMembers() < random.minMembers()) {
                fail("churn.random.max-members", "expected >= churn.random.min-members = " + random.minMembers());
            }
            Path trace = str("churn.trace").isEmpty() ? null : path("churn.trace");
            if (trace != null && !Files.isRegularFile(trace)) {
                fail("churn.trace", "no such availability trace file: " + trace);
            }
            var churn = new Scenario.Churn(events(classes.keySet()), random, trace);
            var clock = new Scenario.Clock(oneOf("clock.costs", "fixed", "measured").equals("measured"),
                    nonNegative("clock.forward-us"), nonNegative("clock.gradient-us"), nonNegative("clock.element-ns"));
            Scenario scenario = new Scenario(file, resolved, run, model, pretrain, data, nodes, budget, eval, spsa, fedspeed, fedavg,
                    churn, clock, new Scenario.Sweep(sweepPoints()));
            if (data.shards() > 0 && !data.reuseShards()) {
                int ids = ChurnSchedule.resolve(scenario).scheduleIds();
                if (ids > data.shards()) {
                    fail("data.shards", "the run admits " + ids + " nodes but cuts its pool into " + data.shards()
                            + " shards, so node " + (data.shards() + 1) + " would train on node 1's data; use data.shards >= " + ids
                            + ", 0 (one shard per node) or data.reuse-shards = true");
                }
            }
            return scenario;
        }

        /** The data section's keys of the user's own files, checked against the model and pretraining. */
        private Scenario.Files dataFiles(String dataKind, Scenario.ModelSection model, Scenario.Pretrain pretrain) {
            String format = oneOf("data.format", "", "csv", "tsv", "jsonl", "dir");
            if (dataKind.equals("csv") && (format.equals("jsonl") || format.equals("dir"))) {
                fail("data.format", "data.kind = csv reads csv or tsv files, got " + format);
            }
            Path sourcePath = str("data.source-path").isEmpty() ? null : inputPath("data.source-path");
            if (sourcePath != null && !Files.exists(sourcePath)) {
                fail("data.source-path", "no such file: " + sourcePath.toAbsolutePath());
            }
            double sourceFraction = fraction("data.source-fraction", true);
            if (sourceFraction >= 1) fail("data.source-fraction", "expected a fraction in [0, 1), got " + sourceFraction);
            double evalFraction = fraction("data.eval-fraction", false);
            if (evalFraction >= 1) fail("data.eval-fraction", "expected a fraction in (0, 1), got " + evalFraction);
            var f = new Scenario.Files(format, str("data.text-column"), str("data.group-column"), strings("data.groups"), sourcePath,
                    strings("data.source-groups"), sourceFraction, evalFraction, intIn("data.hashed-features", 2, 1 << 20),
                    intIn("data.max-tokens", 2, onebyte.core.text.TokenTextEncoder.MAX_TOKENS));
            boolean hasSource = sourcePath != null || !f.sourceGroups().isEmpty() || sourceFraction > 0;
            if (!hasSource && model.checkpoint() == null && pretrain.steps() > 0) {
                fail("pretrain.steps", "data.kind = " + dataKind + " with no source split to pretrain on: set data.source-fraction "
                        + "(e.g. 0.3), data.source-path or data.source-groups, or pretrain.steps = 0 (start from the model's initialisation)");
            }
            if (dataKind.equals("csv") && (!f.groups().isEmpty() || !f.sourceGroups().isEmpty())) {
                fail("data.groups", "groups are for data.kind = text");
            }
            return f;
        }

        /** sweep.points: each object's keys flattened into "key=value" overrides (checked when the sweep loads each point). */
        private List<List<String>> sweepPoints() {
            List<List<String>> points = new ArrayList<>();
            ConfigValue list = c.getValue("sweep.points");
            if (list.valueType() != ConfigValueType.LIST) fail("sweep.points", "expected a list of objects [ { key = value, ... }, ... ]");
            for (ConfigValue p : (ConfigList) list) {
                if (p.valueType() != ConfigValueType.OBJECT || ((ConfigObject) p).isEmpty()) {
                    throw new ScenarioException(where(p.origin()), "sweep.points", "expected an object of scenario keys { key = value, ... }, got "
                            + describe(p));
                }
                List<String> overrides = new ArrayList<>();
                for (Map.Entry<String, ConfigValue> e : ((ConfigObject) p).toConfig().entrySet()) {
                    if (e.getKey().startsWith("sweep")) {
                        throw new ScenarioException(where(e.getValue().origin()), "sweep.points", "a point cannot set " + e.getKey());
                    }
                    overrides.add(e.getKey() + "=" + e.getValue().render(ConfigRenderOptions.concise()));
                }
                overrides.sort(null);
                points.add(List.copyOf(overrides));
            }
            return List.copyOf(points);
        }

        private List<ChurnEvent> events(Set<String> classes) {
            List<ChurnEvent> out = new ArrayList<>();
            for (ConfigValue v : c.getList("churn.events")) {
                Config ev = ((ConfigObject) v).toConfig();
                String at = where(v.origin());
                boolean hasAt = ev.hasPath("at");
                boolean hasRound = ev.hasPath("round");
                if (hasAt == hasRound) {
                    throw new ScenarioException(at, "churn.events", "expected exactly one of 'at' (virtual time, e.g. 30s) or 'round'");
                }
                double atS = 0;
                long round = ChurnEvent.NO_ROUND;
                try {
                    if (hasAt) {
                        atS = durationSeconds(ev, "at");
                    } else {
                        round = ev.getLong("round");
                        if (round < 1) {
                            throw new ScenarioException(where(ev.getValue("round").origin()), "churn.events.round", "expected a round >= 1, got " + round);
                        }
                    }
                    if (!ev.hasPath("action")) {
                        throw new ScenarioException(at, "churn.events.action", "missing; expected join, leave, crash or rejoin");
                    }
                    String actionName = ev.getString("action");
                    ChurnEvent.Action action;
                    try {
                        action = ChurnEvent.Action.valueOf(actionName.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new ScenarioException(where(ev.getValue("action").origin()), "churn.events.action",
                                "expected join, leave, crash or rejoin, got '" + actionName + "'");
                    }
                    int node = ChurnEvent.ANY;
                    if (ev.hasPath("node")) {
                        String n = ev.getString("node");
                        if (!n.equals("any")) {
                            try {
                                node = Integer.parseInt(n);
                            } catch (NumberFormatException e) {
                                node = 0;
                            }
                            if (node < 1) {
                                throw new ScenarioException(where(ev.getValue("node").origin()), "churn.events.node",
                                        "expected 'any' or a node id >= 1, got '" + n + "'");
                            }
                        }
                    }
                    if (action == ChurnEvent.Action.JOIN && node != ChurnEvent.ANY) {
                        throw new ScenarioException(where(ev.getValue("node").origin()), "churn.events.node",
                                "a join admits a new node (ids are assigned, never reused); use 'rejoin' for a node that left");
                    }
                    int count = ev.hasPath("count") ? ev.getInt("count") : 1;
                    if (count < 1 || count > 4096 || count > 1 && node != ChurnEvent.ANY) {
                        throw new ScenarioException(where(ev.getValue("count").origin()), "churn.events.count",
                                "expected 1..4096 (and 1 when a node id is given), got " + count);
                    }
                    ChurnEvent.Sync sync = ChurnEvent.Sync.AUTO;
                    if (ev.hasPath("sync")) {
                        String s = ev.getString("sync");
                        try {
                            sync = ChurnEvent.Sync.valueOf(s.toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            throw new ScenarioException(where(ev.getValue("sync").origin()), "churn.events.sync",
                                    "expected auto, snapshot or replay, got '" + s + "'");
                        }
                    }
                    String cls = ev.hasPath("class") ? ev.getString("class") : ""; // "": resolved by ChurnSchedule
                    if (!cls.isEmpty() && !classes.contains(cls)) {
                        throw new ScenarioException(where(ev.getValue("class").origin()), "churn.events.class",
                                "expected one of the node classes " + classes + ", got '" + cls + "'");
                    }
                    for (int i = 0; i < count; i++) {
                        out.add(new ChurnEvent(atS, round, action, node, sync, cls, at));
                    }
                } catch (ConfigException e) {
                    throw new ScenarioException(where(e.origin()), "churn.events", stripOrigin(e));
                }
            }
            return out;
        }

        private void checkPartition(String p) {
            String[] parts = p.split(":", -1);
            String k = parts[0];
            boolean ok;
            try {
                ok = switch (k) {
                    case "iid" -> parts.length == 1;
                    case "dirichlet", "quantity" -> parts.length == 2 && Double.parseDouble(parts[1]) > 0;
                    case "pathological" -> parts.length == 2 && Integer.parseInt(parts[1]) >= 1;
                    default -> false;
                };
            } catch (NumberFormatException e) {
                ok = false;
            }
            if (!ok) {
                fail("data.partition", "expected iid, dirichlet:ALPHA (> 0), pathological:C (>= 1) or quantity:ALPHA (> 0), got '" + p + "'");
            }
        }

        private String str(String key) {
            try {
                return c.getString(key);
            } catch (ConfigException e) {
                throw typed(key, e, "a string");
            }
        }

        private Path path(String key) {
            return Path.of(str(key));
        }

        /**
         * A data file: a relative path written in a scenario file is relative to that file's
         * directory (a scenario runs from any directory); one given with --set, relative to the
         * working directory.
         */
        private Path inputPath(String key) {
            Path p = path(key);
            String file = c.getValue(key).origin().filename();
            if (p.isAbsolute() || file == null) return p;
            Path dir = Path.of(file).toAbsolutePath().getParent();
            return dir == null ? p : dir.resolve(p).normalize();
        }

        private List<String> strings(String key) {
            try {
                return c.getStringList(key);
            } catch (ConfigException e) {
                throw typed(key, e, "a list of strings");
            }
        }

        private List<Integer> ints(String key) {
            try {
                return c.getIntList(key);
            } catch (ConfigException e) {
                throw typed(key, e, "a list of whole numbers");
            }
        }

        private String oneOf(String key, String... allowed) {
            String v = str(key);
            for (String a : allowed) {
                if (a.equals(v)) {
                    return v;
                }
            }
            throw fail(key, "expected one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }

        private boolean bool(String key) {
            try {
                return c.getBoolean(key);
            } catch (ConfigException e) {
                throw typed(key, e, "true or false");
            }
        }

        private int intIn(String key, int lo, int hi) {
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

        private long longAtLeast(String key, long min, String note) {
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

        private double number(String key) {
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

        private double positive(String key) {
            double v = number(key);
            if (v <= 0) {
                fail(key, "expected a number > 0, got " + v);
            }
            return v;
        }

        private double nonNegative(String key) {
            double v = number(key);
            if (v < 0) {
                fail(key, "expected a number >= 0, got " + v);
            }
            return v;
        }

        private double fraction(String key, boolean zeroAllowed) {
            double v = number(key);
            if (v > 1 || v < 0 || !zeroAllowed && v == 0) {
                fail(key, "expected a fraction in " + (zeroAllowed ? "[0, 1]" : "(0, 1]") + ", got " + v);
            }
            return v;
        }

        private Duration deadline(String key) {
            double s = seconds(key);
            if (s <= 0) {
                fail(key, "expected a positive duration such as 5s or 500ms");
            }
            return Duration.ofNanos((long) (s * 1e9));
        }

        private double seconds(String key) {
            try {
                return durationSeconds(c, key);
            } catch (ConfigException e) {
                throw typed(key, e, "a duration such as 5s or 500ms");
            }
        }

        private static double durationSeconds(Config cfg, String key) {
            Duration d = cfg.getDuration(key);
            if (d.isNegative()) {
                throw new ConfigException.BadValue(cfg.getValue(key).origin(), key, "expected a duration >= 0");
            }
            return d.toNanos() / 1e9;
        }

        private ScenarioException typed(String key, ConfigException e, String expected) {
            ConfigOrigin o = c.hasPath(key) ? c.getValue(key).origin() : e.origin();
            String got = c.hasPath(key) ? ", got " + describe(c.getValue(key)) : "";
            return new ScenarioException(where(o), key, "expected " + expected + got);
        }

        private ScenarioException fail(String key, String problem) {
            throw new ScenarioException(where(c.getValue(key).origin()), key, problem);
        }

        private static String quoteKey(String k) {
            return k.matches("[A-Za-z0-9_-]+") ? k : '"' + k.replace("\"", "\\\"") + '"';
        }
    }
}
