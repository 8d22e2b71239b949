package onebyte.coordinator.cluster;

import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.ActorContext;
import com.google.protobuf.GeneratedMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import onebyte.node.wire.Rejections;
import onebyte.node.wire.WireSender;

/**
 * The wire messages a coordinator accepts, one handler per type, and the checks a message passes
 * before its handler sees it: a type the coordinator accepts, sent by the actor admitted under the
 * node id it names (a join request: by the actor it names), in the wire version. What fails is
 * rejected ({@link Rejections}) and handed to the coordinator's {@code rejected} counter. Join
 * requests that arrive before the run is loaded are held, once per node, until {@link #releaseHeld}.
 */
final class WireRoutes {
    /** A message type accepted: its version, the node it names or the reference a join names, its handler. */
    private record Route<T extends GeneratedMessage>(ToIntFunction<T> version, ToIntFunction<T> nodeId,
                                                     Function<T, String> joinRef, Consumer<T> handler) {}

    /** A join request held until the run is loaded, from the node {@code ref} names. */
    private record Held(GeneratedMessage join, String ref) {}

    private final ActorContext<Object> ctx;
    private final MemberRoster<?> roster;
    private final Rejections rejections;
    private final String owner;
    private final Consumer<GeneratedMessage> rejected;
    private final Map<Class<?>, Route<?>> routes = new HashMap<>();
    private final List<Held> held = new ArrayList<>();

    /** Routes for the coordinator {@code owner} names; {@code rejected}: what it does with a message rejected here. */
    WireRoutes(ActorContext<Object> ctx, MemberRoster<?> roster, Rejections rejections, String owner,
               Consumer<GeneratedMessage> rejected) {
        this.ctx = ctx;
        this.roster = roster;
        this.rejections = rejections;
        this.owner = owner;
        this.rejected = rejected;
    }

    <T extends GeneratedMessage> void accept(Class<T> type, ToIntFunction<T> version, ToIntFunction<T> nodeId, Consumer<T> handler) {
        routes.put(type, new Route<>(version, nodeId, null, handler));
    }

    <T extends GeneratedMessage> void acceptJoin(Class<T> type, ToIntFunction<T> version, Function<T, String> nodeRef,
                                                 Consumer<T> handler) {
        routes.put(type, new Route<>(version, null, nodeRef, handler));
    }

    /** A wire message from a node: to its handler, or rejected when it is not of a type accepted, from another sender or of another version. */
    void onWire(GeneratedMessage g) {
        String type = g.getClass().getSimpleName();
        Route<GeneratedMessage> r = route(g);
        if (r == null) {
            rejections.reject("unexpected:" + type, "the " + owner + " does not accept it");
            rejected.accept(g);
            return;
        }
        String wrong = r.joinRef() != null ? wrongJoinSender(r.joinRef().apply(g)) : wrongSender(r.nodeId().applyAsInt(g));
        if (wrong != null) {
            rejections.reject("wrong-sender:" + type, wrong);
            rejected.accept(g);
            return;
        }
        if (!rejections.versionOk(r.version().applyAsInt(g), type)) {
            rejected.accept(g);
            return;
        }
        r.handler().accept(g);
    }

    @SuppressWarnings("unchecked")
    private Route<GeneratedMessage> route(GeneratedMessage g) {
        return (Route<GeneratedMessage>) routes.get(g.getClass());
    }

    /** Holds join request {@code j} of the node {@code nodeRef} names until {@link #releaseHeld} (the node's retries are held once). */
    void hold(GeneratedMessage j, String nodeRef) {
        if (held.stream().noneMatch(h -> h.ref().equals(nodeRef))) {
            held.add(new Held(j, nodeRef));
        }
    }

    /** Whether a join request is held. */
    boolean holding() {
        return !held.isEmpty();
    }

    /** The held join requests to their handlers, in arrival order (they were checked on arrival). */
    void releaseHeld() {
        List<Held> hs = new ArrayList<>(held);
        held.clear();
        hs.forEach(h -> route(h.join()).handler().accept(h.join()));
    }

    /**
     * Null when the wire message being handled (only valid in a handler) comes from the actor
     * admitted under {@code nodeId}, or when no node has that id (the handler rejects it as an
     * unknown node); otherwise what is wrong, for a "wrong-sender:&lt;type&gt;" rejection.
     */
    private String wrongSender(int nodeId) {
        AdmittedNode m = roster.get(nodeId);
        akka.actor.ActorRef sender = WireSender.of(ctx);
        if (m == null || WireSender.is(sender, m.ref)) {
            return null;
        }
        return "a message of node " + nodeId + " from " + WireSender.describe(sender) + ", not from " + m.ref.path();
    }

    /** As {@link #wrongSender(int)} for a join request: null when it comes from the actor {@code nodeRef} it names. */
    private String wrongJoinSender(String nodeRef) {
        akka.actor.ActorRef sender = WireSender.of(ctx);
        try {
            if (!nodeRef.isEmpty() && WireSender.is(sender, ActorRefResolver.get(ctx.getSystem()).resolveActorRef(nodeRef))) {
                return null;
            }
        } catch (RuntimeException e) {
            return "cannot resolve '" + nodeRef + "': " + e.getMessage();
        }
        return "a join request for '" + nodeRef + "' from " + WireSender.describe(sender);
    }
}
