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
    public final int id;
    public final ActorRef<Object> ref;
    public final Address address;
    public final String nodeClass;
    public final NodeLinks.Links links;
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

    public AdmittedNode(int id, ActorRef<Object> ref, String nodeClass, NodeLinks.Links links) {
        this.id = id;
        this.ref = ref;
        this.address = ref.path().address();
        this.nodeClass = nodeClass;
        this.links = links;
    }
}
