package onebyte.coordinator.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import onebyte.coordinator.clock.NodeLinks;

/**
 * What a coordinator knows of one admitted node whatever the algorithm: its node id (never
 * reused), reference, cluster address, node class and links, and the bookkeeping of leaving,
 * crashes and churn joins, and its bytes of the current round. The coordinators extend it with
 * their own state; the fields are the owning coordinator's, read and written on its thread.
 */
public class AdmittedNode {
    /**
     * Where a node stands: admitted and not yet ready (SYNCING: an SPSA node obtaining θ;
     * BUILDING: a federated node building its workload and shard), ACTIVE (a member of the next
     * round's member set), SUSPECT (counted as crashed, left out until it is heard from again),
     * GONE (left or removed for good).
     */
    public enum State { SYNCING, BUILDING, ACTIVE, SUSPECT, GONE }

    public final int id;
    public final ActorRef<Object> ref;
    public final Address address;
    public final String nodeClass;
    public final NodeLinks.Links links;
    public State state;
    public boolean leaving;
    public boolean leaveAcked;
    /** Counted as crashed (once until heard from again). */
    public boolean crashCounted;
    /** The cluster reports it unreachable. */
    public boolean unreachable;
    /** Joined after round 0 opened and not yet in a member set (then counted as joined). */
    public boolean joinUncounted;
    public long admitNanos;
    /** Bytes received from it in the current round (the rows' algorithm messages). */
    public long up;
    /** Bytes sent to it in the current round. */
    public long down;

    /** A node admitted in state {@code state}. */
    public AdmittedNode(int id, ActorRef<Object> ref, String nodeClass, NodeLinks.Links links, State state) {
        this.id = id;
        this.state = state;
        this.ref = ref;
        this.address = ref.path().address();
        this.nodeClass = nodeClass;
        this.links = links;
    }
}
