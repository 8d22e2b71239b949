package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import onebyte.node.ClusterConfig;
import onebyte.node.NodeActor;
import onebyte.proto.JoinRequest;
import onebyte.proto.SyncMode;
import org.junit.jupiter.api.Test;

/**
 * Nodes that start before the coordinator's actor exists are still heard once it does. The
 * coordinator's ActorSystem listens from the start, but its actor is spawned only after the three
 * nodes have asked for it for six seconds (in a real start the window is the ~1 s between
 * remoting and the guardian's spawn, on a loaded machine longer). A join request sent by the bare
 * path in that window went to dead letters, and Artery then kept the dead reference as the
 * compressed recipient of that path, so every retry went to dead letters as well: the nodes were
 * never admitted (ProcessClusterTest failed on it in CI). Nodes now find the actor with Identify
 * before they send anything. The stand-in coordinator only records the join requests it gets.
 */
class CoordinatorSpawnedLateTest {
    private record SpawnNow() {}

    @Test
    void nodesThatAskedBeforeTheCoordinatorExistedAreHeardOnceItDoes() throws Exception {
        int port = CliProcesses.freePort();
        Set<String> joins = ConcurrentHashMap.newKeySet();
        Behavior<Object> coordinatorStandIn = Behaviors.receive(Object.class).onAnyMessage(m -> {
            if (m instanceof JoinRequest j) {
                joins.add(j.getNodeRef());
            }
            return Behaviors.same();
        }).build();
        Behavior<Object> guardian = Behaviors.setup(ctx -> Behaviors.receive(Object.class).onMessage(SpawnNow.class, m -> {
            ctx.spawn(coordinatorStandIn, "coordinator");
            return Behaviors.same();
        }).build());
        String seed = "127.0.0.1:" + port;
        List<ActorSystem<?>> systems = new ArrayList<>();
        try {
            ActorSystem<Object> coordinator = ActorSystem.create(guardian, ClusterConfig.SYSTEM_NAME,
                    ClusterConfig.build("127.0.0.1", port, "", List.of(seed), false));
            systems.add(coordinator);
            String path = "akka://" + ClusterConfig.SYSTEM_NAME + "@" + seed + "/user/coordinator";
            for (int i = 1; i <= 3; i++) {
                systems.add(ActorSystem.create(NodeActor.create(new NodeActor.Params(path, SyncMode.SYNC_AUTO, "early-" + i,
                        new NodeActor.Observer() {}, NodeActor.Params.OWN_SHARD, "")), ClusterConfig.SYSTEM_NAME,
                        ClusterConfig.build("127.0.0.1", 0, "", List.of(seed), true)));
            }
            Thread.sleep(6_000); // the nodes ask for the coordinator's actor that does not exist yet
            coordinator.tell(new SpawnNow());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (joins.size() < 3 && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertEquals(3, joins.size(), "join requests heard from " + joins);
        } finally {
            for (ActorSystem<?> s : systems) {
                s.terminate();
            }
            for (ActorSystem<?> s : systems) {
                s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
