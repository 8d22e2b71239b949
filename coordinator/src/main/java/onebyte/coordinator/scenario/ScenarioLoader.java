package onebyte.coordinator.scenario;

import static onebyte.coordinator.scenario.ScenarioValues.describe;
import static onebyte.coordinator.scenario.ScenarioValues.stripOrigin;
import static onebyte.coordinator.scenario.ScenarioValues.where;

import onebyte.core.algorithm.Algorithm;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
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
                ChurnEventsSection.checkKeys(value, key);
            } else if (t.valueType() == ConfigValueType.OBJECT) {
                if (value.valueType() != ConfigValueType.OBJECT) {
                    throw new ScenarioException(where(value.origin()), key, "expected an object { ... }, got " + describe(value));
                }
                checkKeys((ConfigObject) value, (ConfigObject) t, key);
            }
        }
    }

    /** The scenario's sections read from the resolved config ({@link ScenarioValues}: typed, range-checked, with origins). */
    private static final class Reader extends ScenarioValues {
        private final Path file;

        Reader(Config c, Path file) {
            super(c);
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
            var churn = new Scenario.Churn(ChurnEventsSection.read(c, classes.keySet()), random, trace);
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
    }
}
