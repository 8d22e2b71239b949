package onebyte.coordinator.scenario;

/**
 * One membership change on the common clock. {@code atSeconds} is virtual time; events given
 * with {@code round = N} in a scenario carry {@code atRound} instead (and then apply to each
 * algorithm's own round N). {@code nodeId} is a concrete id after {@link ChurnSchedule} has
 * resolved "any"; {@link #ANY} before that. {@code nodeClass} is the node class a (re)joiner
 * comes back with; "" before {@link ChurnSchedule} resolved it (a join: the initial class; a
 * rejoin: the class the node had) and for leaves and crashes.
 */
public record ChurnEvent(double atSeconds, long atRound, Action action, int nodeId, Sync sync, String nodeClass, String origin) {
    public static final int ANY = -1;
    public static final long NO_ROUND = -1;

    public enum Action { JOIN, LEAVE, CRASH, REJOIN }

    public enum Sync { AUTO, SNAPSHOT, REPLAY }

    public boolean byRound() {
        return atRound != NO_ROUND;
    }

    public ChurnEvent withNode(int id) {
        return new ChurnEvent(atSeconds, atRound, action, id, sync, nodeClass, origin);
    }

    public ChurnEvent withNodeClass(String cls) {
        return new ChurnEvent(atSeconds, atRound, action, nodeId, sync, cls, origin);
    }

    @Override
    public String toString() {
        String when = byRound() ? "round " + atRound : String.format(java.util.Locale.ROOT, "t=%.3fs", atSeconds);
        return when + " " + action.name().toLowerCase(java.util.Locale.ROOT) + " node "
                + (nodeId == ANY ? "any" : Integer.toString(nodeId))
                + (action == Action.JOIN || action == Action.REJOIN ? " (" + sync.name().toLowerCase(java.util.Locale.ROOT) + ", " + nodeClass + ")" : "");
    }
}
