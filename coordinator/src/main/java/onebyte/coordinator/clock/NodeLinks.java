package onebyte.coordinator.clock;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The links of every node class of a run (SPEC §5): a participant's bytes move over its own
 * class's uplink and downlink and it pays its own class's latency. A node names its class when
 * it joins; an empty name is the run's initial class (the class of the initial nodes).
 *
 * @param initialClass the class of the initial nodes and of nodes that name none
 * @param classes links by class name; holds {@code initialClass}
 */
public record NodeLinks(String initialClass, Map<String, Links> classes) {
    /** One class's links: bandwidth each way in Mbit/s and the one-way latency in ms. */
    public record Links(double uplinkMbps, double downlinkMbps, double latencyMs) {
        public Links {
            if (!(uplinkMbps > 0 && downlinkMbps > 0)) {
                throw new IllegalArgumentException("bandwidth must be > 0, got up " + uplinkMbps + ", down " + downlinkMbps);
            }
            if (!(latencyMs >= 0)) {
                throw new IllegalArgumentException("latency must be >= 0, got " + latencyMs);
            }
        }
    }

    /** The name of the class of nodes that run with one class only. */
    public static final String DEFAULT_CLASS = "default";

    public NodeLinks {
        classes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(classes));
        if (!classes.containsKey(initialClass)) {
            throw new IllegalArgumentException("the initial class '" + initialClass + "' is not one of " + classes.keySet());
        }
    }

    /** A run where every node has the same links. */
    public static NodeLinks single(double uplinkMbps, double downlinkMbps, double latencyMs) {
        return new NodeLinks(DEFAULT_CLASS, Map.of(DEFAULT_CLASS, new Links(uplinkMbps, downlinkMbps, latencyMs)));
    }

    /** The links of a class by name ("" = the initial class), or null for a class the run does not have. */
    public Links of(String nodeClass) {
        return classes.get(nodeClass.isEmpty() ? initialClass : nodeClass);
    }

    /** The links of the initial class. */
    public Links initial() {
        return classes.get(initialClass);
    }

    /** The class name a node's declared class stands for ("" = the initial class). */
    public String resolve(String nodeClass) {
        return nodeClass.isEmpty() ? initialClass : nodeClass;
    }
}
