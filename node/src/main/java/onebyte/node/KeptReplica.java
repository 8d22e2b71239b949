package onebyte.node;

import onebyte.core.tensor.ParameterVector;
import onebyte.node.wire.Wire;

/**
 * The replica a node process keeps outside its ActorSystem, so that it can come back to a
 * coordinator that was restarted ({@code onebyte coordinator --resume}) after its system was
 * downed: the {@link NodeActor} records its node id, run seed, θ and the round θ holds as it
 * goes ({@link #keep}, from the actor's and the compute thread); between two ActorSystems the
 * process turns the last one into the replica its next {@link NodeActor} returns with
 * ({@link #prepareReturn}), whose join request names them so that the coordinator can give it its
 * node id back and resync it by replay from that round. The round and θ are read without
 * stopping the old system's last job: when they do not belong together, θ's hash is not the
 * coordinator's θ of that round, and the coordinator resyncs the node by snapshot instead.
 */
public final class KeptReplica {
    /** A replica as the node last recorded it: θ after commits 0 .. round − 1 of the run of {@code runSeed}. */
    public record Replica(int nodeId, long runSeed, ParameterVector theta, long round) {}

    /** The replica a node returns with and the hash of its θ (first 8 bytes of SHA-256), computed when it came back. */
    public record Returning(Replica replica, long hash) {
        /**
         * Whether {@code a} admits the node to replay onto this very replica: under its node id, in its
         * run, for a model of its size, by replay from its round (at most the first round).
         */
        boolean replaysOnto(onebyte.proto.Admit a) {
            return a.getNodeId() == replica.nodeId() && a.getConfig().getRunSeed() == replica.runSeed()
                    && a.getConfig().getNumParams() == replica.theta().length() && a.getSync() == onebyte.proto.SyncMode.SYNC_REPLAY
                    && a.getReplayFrom() == replica.round() && a.getReplayFrom() <= a.getFirstRound();
        }
    }

    private volatile Replica current;
    private volatile Returning returning;

    /** A node that comes back with {@code r} (a replica kept from an earlier system of this process, or a test's). */
    public static KeptReplica returningWith(Replica r) {
        KeptReplica k = new KeptReplica();
        k.keep(r);
        k.prepareReturn();
        return k;
    }

    /** Records the node's replica (called as it changes). */
    void keep(Replica r) {
        current = r;
    }

    /**
     * Between two ActorSystems: the replica recorded so far is the one the next {@link NodeActor}
     * returns with. False (nothing to return with) when the node never held one.
     */
    public boolean prepareReturn() {
        Replica r = current;
        if (r == null) {
            return false;
        }
        returning = new Returning(r, Wire.hash8(r.theta().hash()));
        return true;
    }

    /** What the next {@link NodeActor} returns with (null: it joins as a fresh node). */
    public Returning returning() {
        return returning;
    }

    /** The replica the node returned with is taken over (or refused): later joins are fresh ones. */
    void returned() {
        returning = null;
    }
}
