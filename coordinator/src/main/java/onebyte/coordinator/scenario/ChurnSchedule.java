package onebyte.coordinator.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import onebyte.core.perturbation.SeedMixer;

/**
 * One concrete membership history for a scenario: explicit events, seeded random churn and an
 * availability trace all become the same sorted list of events with concrete node ids, so every
 * algorithm of a comparison faces exactly the same joins, leaves and crashes at the same
 * virtual times.
 *
 * <p>Node ids: the initial nodes are 1..N; each join takes the next id; ids are never reused.
 * A rejoin names the id of a node that left or crashed: it comes back with its data shard (its
 * identity), while any algorithm state it had (FedSpeed's dual) is gone.
 *
 * <p>"any" is resolved here by a generator seeded from the run seed, against the members alive at
 * that moment of the simulated history, so the same scenario and seed give the same list. So is
 * the node class of every (re)joiner: a join without a class gets the initial class
 * ({@code nodes.class}), a rejoin without one the class the node had.
 */
public record ChurnSchedule(int initialNodes, List<ChurnEvent> events) {
    private static final long SALT_CHURN = 0x434855524E000000L; // "CHURN"

    /**
     * How many schedule ids (node identities, each with its own data shard) the run uses: the
     * initial nodes 1..N and one per join; a rejoin comes back under its old identity.
     */
    public int scheduleIds() {
        return initialNodes + (int) events.stream().filter(e -> e.action() == ChurnEvent.Action.JOIN).count();
    }

    public static ChurnSchedule resolve(Scenario s) {
        List<ChurnEvent> raw = new ArrayList<>(s.churn().events());
        int initial = s.nodes().initial();
        double horizon = s.churn().random().untilS() > 0 ? s.churn().random().untilS() : s.budget().virtualSeconds();
        if (s.churn().trace() != null) {
            raw.stream().filter(e -> e.action() == ChurnEvent.Action.JOIN).findFirst().ifPresent(e -> {
                throw new ScenarioException(e.origin(), "churn.events.action",
                        "joins come from the availability trace when one is given; remove this join or the trace");
            });
            Trace t = Trace.read(s.churn().trace());
            initial = t.initial;
            raw.addAll(t.events);
        }
        boolean anyRound = raw.stream().anyMatch(ChurnEvent::byRound);
        boolean anyTime = raw.stream().anyMatch(e -> !e.byRound());
        if (anyRound && (anyTime || s.churn().random().enabled())) {
            ChurnEvent e = raw.stream().filter(ChurnEvent::byRound).findFirst().orElseThrow();
            throw new ScenarioException(e.origin(), "churn.events.round",
                    "events by round cannot be mixed with events on the virtual clock (at = ..., random churn, traces); use 'at'");
        }
        raw.sort(Comparator.comparingDouble(ChurnEvent::atSeconds).thenComparingLong(ChurnEvent::atRound));
        if (s.churn().random().enabled() && horizon <= 0) {
            throw new ScenarioException("scenario " + s.file(), "churn.random.until",
                    "random churn needs an end: set churn.random.until or budget.virtual-seconds");
        }
        return new History(initial, SeedMixer.derive(s.run().seed(), SALT_CHURN), s.churn().random(), horizon,
                s.nodes().initialClass()).run(raw);
    }

    /** The membership simulation that resolves "any" and checks that every event is possible. */
    private static final class History {
        final TreeSet<Integer> live = new TreeSet<>();
        final TreeSet<Integer> departed = new TreeSet<>();
        final SplittableRandom rng;
        final Scenario.RandomChurn random;
        final double horizon;
        final String initialClass;
        final int initial;
        int nextId;
        final List<ChurnEvent> out = new ArrayList<>();
        final Map<Integer, String> classOf = new java.util.HashMap<>();

        History(int initial, long seed, Scenario.RandomChurn random, double horizon, String initialClass) {
            this.initial = initial;
            for (int i = 1; i <= initial; i++) {
                live.add(i);
                classOf.put(i, initialClass);
            }
            nextId = initial + 1;
            rng = new SplittableRandom(seed);
            this.random = random;
            this.horizon = horizon;
            this.initialClass = initialClass;
        }

        ChurnSchedule run(List<ChurnEvent> explicit) {
            int i = 0;
            if (random.enabled()) {
                for (double t = random.intervalS(); t <= horizon + 1e-9; t += random.intervalS()) {
                    while (i < explicit.size() && explicit.get(i).atSeconds() <= t) {
                        apply(explicit.get(i++));
                    }
                    randomTick(t);
                }
            }
            while (i < explicit.size()) {
                apply(explicit.get(i++));
            }
            return new ChurnSchedule(initial, List.copyOf(out));
        }

        void randomTick(double t) {
            String origin = "random churn at t=" + t + "s";
            for (Integer id : List.copyOf(live)) {
                double u = rng.nextDouble();
                if (live.size() <= random.minMembers()) {
                    break;
                }
                if (u < random.crashProbability()) {
                    apply(new ChurnEvent(t, ChurnEvent.NO_ROUND, ChurnEvent.Action.CRASH, id, ChurnEvent.Sync.AUTO, "", origin));
                } else if (u < random.crashProbability() + random.leaveProbability()) {
                    apply(new ChurnEvent(t, ChurnEvent.NO_ROUND, ChurnEvent.Action.LEAVE, id, ChurnEvent.Sync.AUTO, "", origin));
                }
            }
            if (live.size() < random.maxMembers() && rng.nextDouble() < random.joinProbability()) {
                apply(new ChurnEvent(t, ChurnEvent.NO_ROUND, ChurnEvent.Action.JOIN, ChurnEvent.ANY, ChurnEvent.Sync.AUTO, "", origin));
            }
        }

        void apply(ChurnEvent e) {
            switch (e.action()) {
                case JOIN -> {
                    int id = nextId++;
                    live.add(id);
                    String cls = e.nodeClass().isEmpty() ? initialClass : e.nodeClass();
                    classOf.put(id, cls);
                    out.add(e.withNode(id).withNodeClass(cls));
                }
                case LEAVE, CRASH -> {
                    int id = e.nodeId() == ChurnEvent.ANY ? pick(live, e) : e.nodeId();
                    if (!live.contains(id)) {
                        throw new ScenarioException(e.origin(), "churn.events.node", "cannot " + verb(e) + " node " + id
                                + ": it is not a member at that time (members then: " + live + ")");
                    }
                    if (live.size() == 1) {
                        throw new ScenarioException(e.origin(), "churn.events", "cannot " + verb(e) + " node " + id
                                + ": it is the last member");
                    }
                    live.remove(id);
                    departed.add(id);
                    out.add(e.withNode(id));
                }
                case REJOIN -> {
                    int id = e.nodeId() == ChurnEvent.ANY ? pick(departed, e) : e.nodeId();
                    if (!departed.contains(id)) {
                        throw new ScenarioException(e.origin(), "churn.events.node", "cannot rejoin node " + id
                                + ": it has not left or crashed before (departed then: " + departed + ")");
                    }
                    departed.remove(id);
                    live.add(id);
                    String cls = e.nodeClass().isEmpty() ? classOf.get(id) : e.nodeClass();
                    classOf.put(id, cls);
                    out.add(e.withNode(id).withNodeClass(cls));
                }
                default -> throw new IllegalStateException(e.action().toString());
            }
        }

        private int pick(TreeSet<Integer> from, ChurnEvent e) {
            if (from.isEmpty()) {
                throw new ScenarioException(e.origin(), "churn.events.node", "'any' for " + verb(e) + " but no node qualifies at that time");
            }
            List<Integer> l = new ArrayList<>(from);
            return l.get(rng.nextInt(l.size()));
        }

        private static String verb(ChurnEvent e) {
            return e.action().name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * An availability trace: CSV with header {@code node,online_from_s,online_until_s}, one online
     * interval per line. Nodes online at time 0 are the initial nodes (ids 1..N in order of first
     * appearance); an interval starting later is a join (first time) or a rejoin; its end is a
     * graceful leave, except at the trace's last instant, which means "online to the end of the run".
 * Intervals of one node must not overlap.
     */
    private record Trace(int initial, List<ChurnEvent> events) {
        static Trace read(Path file) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read availability trace " + file, e);
            }
            if (lines.isEmpty() || !lines.get(0).replace(" ", "").equals("node,online_from_s,online_until_s")) {
                throw new ScenarioException(file + ":1", "churn.trace", "expected the header node,online_from_s,online_until_s");
            }
            record Interval(String node, double from, double until, String origin) {}
            Map<String, List<Interval>> byNode = new LinkedHashMap<>();
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String where = file + ":" + (i + 1);
                String[] f = line.split(",", -1);
                if (f.length != 3) {
                    throw new ScenarioException(where, "churn.trace", "expected 3 columns node,online_from_s,online_until_s, got " + f.length);
                }
                double from;
                double until;
                try {
                    from = Double.parseDouble(f[1].trim());
                    until = Double.parseDouble(f[2].trim());
                } catch (NumberFormatException e) {
                    throw new ScenarioException(where, "churn.trace", "expected seconds as numbers, got '" + f[1] + "', '" + f[2] + "'");
                }
                if (!(from >= 0) || !(until > from)) {
                    throw new ScenarioException(where, "churn.trace", "expected 0 <= online_from_s < online_until_s, got " + from + ", " + until);
                }
                List<Interval> l = byNode.computeIfAbsent(f[0].trim(), k -> new ArrayList<>());
                for (Interval o : l) {
                    if (from < o.until && o.from < until) {
                        throw new ScenarioException(where, "churn.trace", "interval overlaps " + o.origin + " for node " + f[0].trim());
                    }
                }
                l.add(new Interval(f[0].trim(), from, until, where));
            }
            Map<String, Integer> ids = new LinkedHashMap<>();
            byNode.forEach((node, l) -> {
                l.sort(Comparator.comparingDouble(Interval::from));
                if (l.get(0).from == 0) {
                    ids.put(node, ids.size() + 1);
                }
            });
            int initial = ids.size();
            if (initial == 0) {
                throw new ScenarioException(file + ":2", "churn.trace", "no node is online at time 0");
            }
            record Change(double at, ChurnEvent.Action action, String node, String origin) {}
            List<Change> changes = new ArrayList<>();
            double end = byNode.values().stream().flatMap(List::stream).mapToDouble(Interval::until).max().orElse(0);
            for (List<Interval> l : byNode.values()) {
                for (int k = 0; k < l.size(); k++) {
                    Interval in = l.get(k);
                    if (in.from > 0) {
                        changes.add(new Change(in.from, k == 0 ? ChurnEvent.Action.JOIN : ChurnEvent.Action.REJOIN, in.node, in.origin));
                    }
                    if (in.until < end) { // online until the trace's last instant = online to the end of the run
                        changes.add(new Change(in.until, ChurnEvent.Action.LEAVE, in.node, in.origin));
                    }
                }
            }
            // Joins take ids in time order, exactly as History assigns them.
            changes.sort(Comparator.comparingDouble(Change::at));
            int next = initial + 1;
            List<ChurnEvent> events = new ArrayList<>();
            for (Change ch : changes) {
                int id = ChurnEvent.ANY;
                if (ch.action == ChurnEvent.Action.JOIN) {
                    ids.put(ch.node, next++);
                } else {
                    id = ids.get(ch.node);
                }
                events.add(new ChurnEvent(ch.at, ChurnEvent.NO_ROUND, ch.action, id, ChurnEvent.Sync.AUTO, "", ch.origin));
            }
            return new Trace(initial, events);
        }
    }
}
