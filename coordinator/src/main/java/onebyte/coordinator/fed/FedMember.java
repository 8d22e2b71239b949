package onebyte.coordinator.fed;

import akka.actor.typed.ActorRef;
import onebyte.coordinator.clock.NodeLinks;
import onebyte.coordinator.cluster.AdmittedNode;
import onebyte.node.fed.FedChunks;
import onebyte.proto.FedDone;

/**
 * A node the {@link FedCoordinator} admitted: its data shard, the bytes of its join, and its x̂_i
 * and FedDone of the open round as they arrive; {@code unreachable} here: reported by the cluster
 * while not an open round's participant.
 */
final class FedMember extends AdmittedNode {
    final int shard;
    boolean removed;     // removed or downed by the cluster while not an open round's participant
    long joinBytes;
    FedChunks.Assembly assembly;
    FedDone done;

    FedMember(int id, int shard, ActorRef<Object> ref, String nodeClass, NodeLinks.Links links) {
        super(id, ref, nodeClass, links, State.BUILDING);
        this.shard = shard;
    }
}
