package onebyte.coordinator.cluster;

import java.util.concurrent.CompletableFuture;
import onebyte.proto.SyncMode;

/**
 * What a churn driver needs from an embedded cluster launcher (SPSA's {@link EmbeddedCluster},
 * the federated {@code FederatedCluster}): start a node on a data shard, ask a node to leave,
 * crash a node. Ids here are protocol node ids (assigned by the coordinator, never reused).
 */
public interface ClusterMembership {
    /**
     * Starts a node of node class {@code nodeClass} ("" = the run's initial class) that trains on
     * data shard {@code shard} ({@link ChurnDriver#ANY}: the shard of its own node id); completes
     * with its node id once it is ready to be a member of the next round (synced, for SPSA).
     */
    CompletableFuture<Integer> startMember(SyncMode sync, int shard, String nodeClass);

    /** Asks a node to leave gracefully; completes when the coordinator acknowledged it. */
    CompletableFuture<Void> leaveMember(int nodeId);

    /** Terminates a node's ActorSystem abruptly (no leave); completes when it is terminated. */
    CompletableFuture<Void> crashMember(int nodeId);

    /** The node id of an initial node by its shard (initial nodes have shards 1..N). */
    int initialNodeId(int shard);

    /** Node ids started and not asked to leave or crashed (for "any" leaves). */
    java.util.Set<Integer> liveMembers();
}
