package onebyte.coordinator.scenario;

import static onebyte.coordinator.scenario.ScenarioValues.describe;
import static onebyte.coordinator.scenario.ScenarioValues.durationSeconds;
import static onebyte.coordinator.scenario.ScenarioValues.stripOrigin;
import static onebyte.coordinator.scenario.ScenarioValues.where;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code churn.events} section of a scenario: its keys checked against the event template
 * ({@link #checkKeys}), and its events read and validated ({@link #read}): exactly one of
 * {@code at} (virtual time) or {@code round}, an action, a node id or "any", a count, a sync
 * mode and a node class, each error with its file:line.
 */
final class ChurnEventsSection {
    private static final Set<String> EVENT_KEYS = Set.of("at", "round", "action", "node", "count", "sync", "class");

    private ChurnEventsSection() {}

    /** {@code value}, the user's {@code key} (churn.events): a list of event objects with known keys only. */
    static void checkKeys(ConfigValue value, String key) {
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

    /** The events of {@code c}'s churn.events, in order (an event with a count > 1 once per node), node classes among {@code classes}. */
    static List<ChurnEvent> read(Config c, Set<String> classes) {
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
}
