package onebyte.node.wire;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;

/** Per-ActorSystem rejection counters shared by {@link WireSerializer} and the actors. */
public final class WireStats implements Extension {
    public static final Id ID = new Id();

    private final Rejections rejections;

    private WireStats(String owner) {
        this.rejections = new Rejections(owner);
    }

    public Rejections rejections() {
        return rejections;
    }

    public static WireStats get(akka.actor.typed.ActorSystem<?> system) {
        return ID.get(akka.actor.typed.javadsl.Adapter.toClassic(system));
    }

    public static WireStats get(ActorSystem system) {
        return ID.get(system);
    }

    public static final class Id extends AbstractExtensionId<WireStats> {
        @Override
        public WireStats createExtension(ExtendedActorSystem system) {
            return new WireStats(system.provider().getDefaultAddress().hostPort());
        }
    }
}
