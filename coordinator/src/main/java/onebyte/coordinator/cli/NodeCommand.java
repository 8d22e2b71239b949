package onebyte.coordinator.cli;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import onebyte.node.ClusterConfig;
import onebyte.node.KeptReplica;
import onebyte.node.MemberActor;
import onebyte.node.NodeActor;
import onebyte.proto.SyncMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code onebyte node}: one cluster member holding a replica. Joins through the seed nodes, asks
 * the coordinator (at the first seed node) to admit it, and exits when the run is over or it
 * left the cluster; SIGTERM makes it leave the run gracefully first (counted as left, not
 * crashed; exit code 143). Exit code 0: the run completed and this replica equals the coordinator's;
 * 2: the coordinator refused to admit it (e.g. a --node-class its scenario does not have);
 * 3: it differed; 4: the run did not complete (e.g. the coordinator crashed, the Split Brain
 * Resolver downed this node because it lost the oldest member, and no coordinator took it back
 * within {@code --rejoin-for}). A node downed by the cluster before the run is over keeps its
 * replica ({@link KeptReplica}) and comes back in a fresh ActorSystem on the same port: a
 * coordinator restarted with {@code --resume} gives it its node id back.
 */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Run one node of a multi-process cluster.")
public final class NodeCommand implements Callable<Integer> {
    @Mixin
    NetOptions net;
    @Mixin
    TlsOptions tls;
    @Option(names = "--seed-nodes", split = ",", defaultValue = "${env:ONEBYTE_SEED_NODES:-127.0.0.1:25520}",
            description = "host:port of the seed nodes, the coordinator first (env ONEBYTE_SEED_NODES; default ${DEFAULT-VALUE}).")
    List<String> seedNodes;
    @Option(names = "--sync", defaultValue = "auto", description = "How to obtain θ when joining a running run: auto | snapshot | replay.")
    String sync;
    @Option(names = "--node-class", defaultValue = "${env:ONEBYTE_NODE_CLASS:-}",
            description = "The scenario's node class (nodes.classes) whose links this node has; empty = the run's initial class (env ONEBYTE_NODE_CLASS).")
    String nodeClass;

    @Option(names = "--rejoin-for", paramLabel = "DURATION", defaultValue = "${env:ONEBYTE_REJOIN_FOR:-3m}",
            description = "When the cluster downs this node before the run is over (the coordinator's process died: the"
                    + " Split Brain Resolver downs the members that lost it), keep the replica, start a fresh ActorSystem"
                    + " and look for the coordinator again for up to this long (a coordinator restarted with --resume gives"
                    + " the node its id back and resyncs it by replay when its replica is the coordinator's θ of its round,"
                    + " else by snapshot; a coordinator that is still up admits it as a fresh node under a new id);"
                    + " 0 = exit with 4 at once (env ONEBYTE_REJOIN_FOR; default ${DEFAULT-VALUE}).")
    String rejoinFor;

    /** How long a new ActorSystem waits for the port the previous one had. */
    private static final Duration BIND_RETRY = Duration.ofSeconds(30);

    @Override
    public Integer call() throws Exception {
        onebyte.node.tls.TlsSettings tlsSettings = tls.settings("node"); // bad stores: exit 2 before anything starts
        SyncMode mode = switch (sync.toLowerCase(Locale.ROOT)) {
            case "auto" -> SyncMode.SYNC_AUTO;
            case "snapshot" -> SyncMode.SYNC_SNAPSHOT;
            case "replay" -> SyncMode.SYNC_REPLAY;
            default -> throw new IllegalArgumentException("--sync must be auto, snapshot or replay, got " + sync);
        };
        Duration comeBackFor = RunOptions.durationFlag("--rejoin-for", rejoinFor, "3m or 90s");
        AtomicInteger exit = new AtomicInteger(4); // no RunComplete
        KeptReplica kept = new KeptReplica();
        int port = net.port;
        while (true) {
            AtomicBoolean admitted = new AtomicBoolean();
            CompletableFuture<Void> finished = new CompletableFuture<>();
            NodeActor.Params p = new NodeActor.Params(ClusterConfig.coordinatorPath(seedNodes.get(0)), mode,
                    net.host + ":" + net.port + " pid " + ProcessHandle.current().pid(), observer(exit, admitted, finished),
                    NodeActor.Params.OWN_SHARD, nodeClass, kept);
            ActorSystem<Object> system = start(p, port, tlsSettings);
            port = system.address().getPort().get();
            leaveRunOnSigterm(system, admitted, finished);
            net.startReadiness(system);
            System.out.println("node at " + system.address() + " joining " + seedNodes + (tlsSettings == null ? "" : " over TLS"));
            KeptReplica.Returning back = kept.returning();
            if (back != null) {
                system.scheduler().scheduleOnce(comeBackFor, () -> {
                    if (!admitted.get()) {
                        System.out.println("node: no coordinator took node " + back.replica().nodeId() + " back within "
                                + comeBackFor.toSeconds() + " s; giving up");
                        system.terminate();
                    }
                }, system.executionContext());
            }
            BoundedShutdown.awaitEnd(system);
            boolean downed = CoordinatedShutdown.get(system).getShutdownReason()
                    .filter(r -> r == CoordinatedShutdown.clusterDowningReason()).isPresent();
            if (finished.isDone() || exit.get() != 4 || !downed || comeBackFor.isZero() || !kept.prepareReturn()) {
                return exit.get();
            }
            KeptReplica.Replica r = kept.returning().replica();
            System.out.println("node: the cluster downed node " + r.nodeId() + " before the run was over (the coordinator is"
                    + " gone?); keeping its replica of round " + r.round() + " and looking for the coordinator again for up to "
                    + comeBackFor.toSeconds() + " s");
        }
    }

    /** The node's ActorSystem at {@code port} (0: any), waiting up to {@link #BIND_RETRY} for a port the previous system held. */
    private ActorSystem<Object> start(NodeActor.Params p, int port, onebyte.node.tls.TlsSettings tlsSettings) throws InterruptedException {
        long giveUp = System.nanoTime() + BIND_RETRY.toNanos();
        while (true) {
            try {
                return net.system(NodeActor.create(p), port, seedNodes, tlsSettings);
            } catch (RuntimeException e) {
                if (port == 0 || System.nanoTime() > giveUp) {
                    throw e;
                }
                System.out.println("node: port " + port + " not free yet (" + e.getMessage() + "); trying again");
                Thread.sleep(1000);
            }
        }
    }

    private static NodeActor.Observer observer(AtomicInteger exit, AtomicBoolean admitted, CompletableFuture<Void> finished) {
        return new NodeActor.Observer() {
            @Override
            public void admitted(int nodeId, onebyte.proto.Admit admit) {
                admitted.set(true);
            }

            @Override
            public void finished(int nodeId, long appliedRounds, long replicaHash) {
                finished.complete(null);
            }

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
    }

    /**
     * SIGTERM ({@code docker stop}, {@code docker compose stop}, scaling down, {@code kill}) runs
     * Akka's coordinated shutdown from the JVM's shutdown hook, which leaves the Akka cluster at
     * once: the coordinator would see the member removed without the run's Leave and count a
     * crash. This task runs first (phase before-service-unbind, whose timeout onebyte/cluster.conf
     * sets): an admitted node that is not done sends the run's Leave and waits for the
     * coordinator's acknowledgement (after the round it is in), so it is counted as left. Other
     * shutdowns (the run is over, or this node was downed) have nothing to wait for.
     */
    private static void leaveRunOnSigterm(ActorSystem<Object> system, AtomicBoolean admitted,
                                          CompletableFuture<Void> finished) {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "onebyte-leave-run", () -> {
            boolean jvmExit = shutdown.getShutdownReason().filter(r -> r == CoordinatedShutdown.jvmExitReason()).isPresent();
            if (!jvmExit || !admitted.get() || finished.isDone()) {
                return CompletableFuture.completedFuture(Done.done());
            }
            System.out.println("node: SIGTERM: leaving the run after the round it is in");
            system.tell(new MemberActor.LeaveNow());
            return finished.thenApply(x -> Done.done());
        });
    }
}
