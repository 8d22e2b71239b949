package onebyte.coordinator.cluster;

import akka.actor.Address;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onebyte.node.wire.Rejections;

/** The nodes a coordinator admitted, by node id (in admission order) and by reference; node ids start at 1 and are never reused. */
public final class MemberRoster<M extends AdmittedNode> {
    private final Map<Integer, M> members = new LinkedHashMap<>();
    private final Map<String, Integer> idsByRef = new HashMap<>();
    private int nextId = 1;

    /** The id the next admitted node gets. */
    public int nextId() {
        return nextId++;
    }

    /** The id the next admitted node will get (without taking it). */
    public int peekNextId() {
        return nextId;
    }

    /** A restored run ({@link onebyte.proto.RunState}) goes on giving ids from {@code next}. */
    public void continueIdsFrom(int next) {
        if (next < nextId) {
            throw new IllegalStateException("node ids from " + next + " after " + (nextId - 1) + " were given");
        }
        nextId = next;
    }

    /** Admits {@code m}, which asked to join with reference {@code ref}. */
    public void add(String ref, M m) {
        members.put(m.id, m);
        idsByRef.put(ref, m.id);
    }

    /** The node admitted under {@code id}, or null. */
    public M get(int id) {
        return members.get(id);
    }

    /** The node last admitted with reference {@code ref}, or null. */
    public M byRef(String ref) {
        Integer id = idsByRef.get(ref);
        return id == null ? null : members.get(id);
    }

    /** Every node admitted, in admission order. */
    public Collection<M> all() {
        return members.values();
    }

    /** The nodes at a cluster address. */
    public List<M> at(Address a) {
        return members.values().stream().filter(m -> m.address.equals(a)).toList();
    }

    /**
     * The node admitted under {@code id} that a message of type {@code type} claims to come from;
     * null, rejected as "unknown-node:&lt;type&gt;" or "gone-node:&lt;type&gt;", when there is none or it is gone.
     */
    public M claimedBy(int id, String type, Rejections rejections) {
        M m = members.get(id);
        if (m == null) {
            rejections.reject("unknown-node:" + type, "node " + id + " was never admitted");
            return null;
        }
        if (m.state == AdmittedNode.State.GONE) {
            rejections.reject("gone-node:" + type, "node " + id + " has left or crashed");
            return null;
        }
        return m;
    }

    /** How many of {@code memberSet} joined during the run and were not counted yet; they are counted now. */
    public int countJoins(Set<Integer> memberSet) {
        int n = 0;
        for (int id : memberSet) {
            M m = members.get(id);
            if (m.joinUncounted) {
                m.joinUncounted = false;
                n++;
            }
        }
        return n;
    }
}
