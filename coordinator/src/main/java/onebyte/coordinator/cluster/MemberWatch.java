package onebyte.coordinator.cluster;

import akka.actor.Address;
import akka.cluster.ClusterEvent;
import com.google.protobuf.GeneratedMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import onebyte.coordinator.cluster.AdmittedNode.State;
import org.slf4j.Logger;

/**
 * Membership and crash tracking of a cluster run, whatever the algorithm: which admitted node a
 * message comes from (and that it is alive), a node's leave (acknowledged once, counted as left),
 * the cluster's reports of a node unreachable, reachable again or removed, and the crash of a node
 * the open round waited for, counted once in the round in progress until the node is heard from
 * again. When the coordinator learns of a crash is the algorithm's: SPSA's
 * {@link SpsaMembership} counts it when the cluster reports it, the federated one when a round
 * next asks the node to take part; so the cluster's events, the crash itself and what a message
 * proves are the subclass's.
 */
public abstract class MemberWatch<M extends AdmittedNode> {
    private final ClusterCoordinator<M> run;
    protected final MemberRoster<M> roster;
    protected final Logger log;
    private final String owner;
    private final List<Integer> crashedNodes = new ArrayList<>();

    /** The membership of {@code run}'s nodes; {@code owner} names the coordinator in the log. */
    protected MemberWatch(ClusterCoordinator<M> run, String owner) {
        this.run = run;
        this.roster = run.roster;
        this.log = run.log;
        this.owner = owner;
    }

    /** The cluster reports a member event: a member removed or downed concerns the run. */
    public final void onMemberEvent(ClusterEvent.MemberEvent e) {
        if (e instanceof ClusterEvent.MemberRemoved || e instanceof ClusterEvent.MemberDowned) {
            removed(e.member().address(), e.getClass().getSimpleName());
        }
    }

    /** The cluster reports a node unreachable or reachable again. */
    public final void onReachability(ClusterEvent.ReachabilityEvent e) {
        if (e instanceof ClusterEvent.UnreachableMember) {
            unreachable(e.member().address());
        } else if (e instanceof ClusterEvent.ReachableMember) {
            reachable(e.member().address());
        }
    }

    /** The cluster removed (or downed: {@code why}) the nodes at {@code address}: they are gone for good. */
    protected abstract void removed(Address address, String why);

    /** The cluster reports the nodes at {@code address} unreachable. */
    protected abstract void unreachable(Address address);

    /** The cluster reports the nodes at {@code address} reachable again. */
    protected abstract void reachable(Address address);

    /** A node that was waited for crashed (missed the deadline, or the cluster lost it). */
    public abstract void crashed(M m, String why);

    /** {@code m} was heard from ({@link #known}): a node counted as crashed may take part again. */
    protected abstract void heardFrom(M m);

    /** What acknowledges {@code m}'s leave. */
    protected abstract GeneratedMessage leaveAck(M m);

    /**
     * Whether {@code m}'s leave is acknowledged when it asks (else the coordinator acknowledges it
     * later, e.g. once it is ready); a participant of the open round finishes the round first.
     */
    protected boolean acksLeaveAtOnce(M m) {
        return true;
    }

    /** The member a Leave {@code l} claims to come from, or null (rejected): {@link #claimed} unless a leave proves it is alive. */
    protected M leaver(int nodeId, GeneratedMessage l) {
        return claimed(nodeId, l);
    }

    /**
     * The node admitted under {@code nodeId} that {@code g} claims to come from; null, rejected as
     * "unknown-node:&lt;type&gt;" or "gone-node:&lt;type&gt;" (and counted where the coordinator counts
     * rejections), when there is none or it is gone.
     */
    public final M claimed(int nodeId, GeneratedMessage g) {
        M m = roster.get(nodeId);
        String type = g.getClass().getSimpleName();
        if (m == null) {
            run.reject("unknown-node:" + type, "node " + nodeId + " was never admitted", g);
            return null;
        }
        if (m.state == State.GONE) {
            run.reject("gone-node:" + type, "node " + nodeId + " has left or crashed", g);
            return null;
        }
        return m;
    }

    /** As {@link #claimed}, and the node was heard from. */
    public final M known(int nodeId, GeneratedMessage g) {
        M m = claimed(nodeId, g);
        if (m != null) {
            heardFrom(m);
        }
        return m;
    }

    /** A node asks to leave: acknowledged now, or after the open round it takes part in (or as the algorithm says). */
    public final void onLeave(int nodeId, GeneratedMessage l) {
        M m = leaver(nodeId, l);
        if (m == null) {
            return;
        }
        run.ledger.received(m, l);
        m.leaving = true;
        log.info("{}: node {} leaves", owner, m.id);
        if (acksLeaveAtOnce(m) && !waitedFor(m)) {
            ackLeave(m);
        }
    }

    /** Acknowledges a node's leave (once): it is gone and counted as left in the round in progress. */
    public final void ackLeave(M m) {
        if (m.leaveAcked) {
            return;
        }
        m.leaveAcked = true;
        run.ledger.send(m, leaveAck(m));
        m.state = State.GONE;
        run.counting.left();
        run.listener.nodeLeft(m.id);
    }

    /** After a round's close: the leaves of its participants {@code ids} that finished it are acknowledged. */
    public final void ackLeavers(Collection<Integer> ids) {
        for (int id : ids) {
            M m = roster.get(id);
            if (m.leaving && m.state != State.GONE) {
                ackLeave(m);
            }
        }
    }

    /** Sends {@code msg} to every node not gone, in admission order. */
    public final void sendToLive(GeneratedMessage msg) {
        for (M m : roster.all()) {
            if (m.state != State.GONE) {
                run.ledger.send(m, msg);
            }
        }
    }

    /** Counts a node's crash in the round in progress, once until it is heard from again. */
    protected final void countCrashOnce(M m, String why) {
        if (!m.crashCounted) {
            m.crashCounted = true;
            countCrash(m.id);
            log.warn("{}: node {} crashed ({})", owner, m.id, why);
        }
    }

    /** Counts the crash of node {@code id} in the round in progress. */
    protected final void countCrash(int id) {
        run.counting.crashed();
        crashedNodes.add(id);
    }

    /** A node counted as crashed is {@code how} ("is back", "reachable again"): ACTIVE, a member from the next round. */
    protected final void back(M m, String how) {
        log.info("{}: node {} {}; it takes part again from the next round", owner, m.id, how);
        m.state = State.ACTIVE;
        m.crashCounted = false;
    }

    /** The nodes counted as crashed so far, in the order they were. */
    List<Integer> crashedNodes() {
        return crashedNodes;
    }

    /** Whether the run has ended. */
    protected final boolean finished() {
        return run.finished;
    }

    /** Whether the open round still waits for {@code m}. */
    protected final boolean waitedFor(M m) {
        return run.open && run.pending.contains(m.id);
    }

    /** The open round waits for {@code m} no longer. */
    protected final void dropFromRound(M m) {
        run.pending.remove(m.id);
    }

    /** Closes the open round when it waits for nobody any more. */
    protected final void closeIfAllIn() {
        run.closeIfAllIn();
    }
}
