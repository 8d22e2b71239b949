package onebyte.node.wire;

import akka.actor.ActorPath;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;

/**
 * Who sent a wire message. A typed {@code tell} sends no sender; wire messages go out with the
 * sending actor as the Artery envelope's sender ({@link #tell}), and a receiver compares the
 * sender of the message it is handling ({@link #of}) with the actor it accepts that message from
 * ({@link #is}): the coordinator accepts a node's messages only from the actor it admitted under
 * that node id, a node accepts the coordinator's messages only from the coordinator it joined.
 *
 * <p>This stops messages that name someone else (a stale, misrouted or forged Leave, commit or
 * model chunk from another member or an outsider) that do not come from that one's actor. Once
 * Artery has compressed it, the sender is a tag in the envelope header (the envelope is 2 bytes
 * shorter than with no sender; the metrics keep counting {@link Wire#ENVELOPE_BYTES}). It is not
 * authentication: a process that can reach the port can name any actor as the sender (a tell
 * takes any reference). Against that the cluster has TLS with mutual authentication (docs/tls.md).
 */
public final class WireSender {
    private WireSender() {}

    /** Sends {@code msg} to {@code to} with {@code from} as its sender. */
    public static void tell(ActorRef<?> to, Object msg, ActorRef<?> from) {
        Adapter.toClassic(to).tell(msg, Adapter.toClassic(from));
    }

    /** The sender of the message {@code ctx}'s actor is handling now (dead letters when it was sent without one). */
    public static akka.actor.ActorRef of(ActorContext<?> ctx) {
        return Adapter.toClassic(ctx).sender();
    }

    /**
     * Whether {@code sender} is the actor {@code expected}: the same path with its address, and the
     * same incarnation uid unless {@code expected} was resolved from a path without one.
     */
    public static boolean is(akka.actor.ActorRef sender, ActorRef<?> expected) {
        if (sender == null) {
            return false;
        }
        ActorPath want = expected.path();
        return sender.path().equals(want) && (want.uid() == 0 || sender.path().uid() == want.uid());
    }

    /** A sender for log lines: its path with address, or "no sender". */
    public static String describe(akka.actor.ActorRef sender) {
        return sender == null || sender.path().name().equals("deadLetters") ? "no sender" : sender.path().toString();
    }
}
