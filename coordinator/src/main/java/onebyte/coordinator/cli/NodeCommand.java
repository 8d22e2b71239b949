package onebyte.coordinator.cli;

import akka.actor.typed.ActorSystem;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import onebyte.node.ClusterConfig;
import onebyte.node.NodeActor;
import onebyte.proto.SyncMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code onebyte node}: one cluster member holding a replica. Joins through the seed nodes, asks
 * the coordinator (at the first seed node) to admit it, and exits when the run is over or it
 * left the cluster. Exit code 0: the run completed and this replica equals the coordinator's;
 * 2: the coordinator refused to admit it (e.g. a --node-class its scenario does not have);
 * 3: it differed; 4: the run did not complete (e.g. the coordinator crashed, and the Split Brain
 * Resolver downed this node because it lost the oldest member).
 */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Run one node of a multi-process cluster.")
public final class NodeCommand implements Callable<Integer> {
    @Mixin
    NetOptions net;
    @Option(names = "--seed-nodes", split = ",", defaultValue = "${env:ONEBYTE_SEED_NODES:-127.0.0.1:25520}",
            description = "host:port of the seed nodes, the coordinator first (env ONEBYTE_SEED_NODES; default ${DEFAULT-VALUE}).")
    List<String> seedNodes;
    @Option(names = "--sync", defaultValue = "auto", description = "How to obtain θ when joining a running run: auto | snapshot | replay.")
    String sync;
    @Option(names = "--node-class", defaultValue = "${env:ONEBYTE_NODE_CLASS:-}",
            description = "The scenario's node class (nodes.classes) whose links this node has; empty = the run's initial class (env ONEBYTE_NODE_CLASS).")
    String nodeClass;

    @Override
    public Integer call() throws Exception {
        SyncMode mode = switch (sync.toLowerCase(Locale.ROOT)) {
            case "auto" -> SyncMode.SYNC_AUTO;
            case "snapshot" -> SyncMode.SYNC_SNAPSHOT;
            case "replay" -> SyncMode.SYNC_REPLAY;
            default -> throw new IllegalArgumentException("--sync must be auto, snapshot or replay, got " + sync);
        };
        java.util.concurrent.atomic.AtomicInteger exit = new java.util.concurrent.atomic.AtomicInteger(4); // no RunComplete
        NodeActor.Observer observer = new NodeActor.Observer() {
            @Override
            public void runComplete(int nodeId, boolean agrees) {
                exit.set(agrees ? 0 : 3);
            }

            @Override
            public void refused(String reason) {
                System.err.println("onebyte node: the coordinator refused this node: " + reason);
                exit.set(2);
            }
        };
        NodeActor.Params p = new NodeActor.Params(ClusterConfig.coordinatorPath(seedNodes.get(0)), mode,
                net.host + ":" + net.port + " pid " + ProcessHandle.current().pid(), observer, NodeActor.Params.OWN_SHARD, nodeClass);
        ActorSystem<Object> system = ActorSystem.create(NodeActor.create(p), ClusterConfig.SYSTEM_NAME,
                ClusterConfig.build(net.host, net.port, net.bindHost, seedNodes, false));
        net.startReadiness(system);
        System.out.println("node at " + system.address() + " joining " + seedNodes);
        system.getWhenTerminated().toCompletableFuture().join();
        return exit.get();
    }
}
