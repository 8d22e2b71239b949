package onebyte.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {
    @Test
    void seedsAddressesAndSbr() {
        assertEquals("akka://onebyte@10.0.0.5:25520", ClusterConfig.seedAddress("10.0.0.5:25520"));
        assertEquals("akka://onebyte@h:1/user/coordinator", ClusterConfig.coordinatorPath("h:1"));
        assertThrows(IllegalArgumentException.class, () -> ClusterConfig.seedAddress("nohost"));
        Config c = ClusterConfig.build("node-1", 2552, "0.0.0.0", List.of("coord:25520"), false);
        assertEquals("node-1", c.getString("akka.remote.artery.canonical.hostname"));
        assertEquals("0.0.0.0", c.getString("akka.remote.artery.bind.hostname"));
        assertEquals(List.of("akka://onebyte@coord:25520"), c.getStringList("akka.cluster.seed-nodes"));
        assertEquals("keep-oldest", c.getString("akka.cluster.split-brain-resolver.active-strategy"));
        assertEquals("onebyte-wire", c.getString("akka.actor.serialization-bindings.\"onebyte.proto.Contribution\""));
        assertEquals("on", c.getString("akka.coordinated-shutdown.run-by-actor-system-terminate"));
        assertEquals("off", ClusterConfig.build("h", 0, "", List.of(), true)
                .getString("akka.coordinated-shutdown.run-by-actor-system-terminate"));
    }

    @Test
    void systemsSharingAJvmKeepFewerThreadsOthersKeepAkkasDefaults() {
        Config shared = ClusterConfig.build("h", 0, "", List.of(), true);
        assertEquals(2, shared.getInt("akka.actor.default-dispatcher.fork-join-executor.parallelism-max"));
        assertEquals(2, shared.getInt("akka.actor.internal-dispatcher.fork-join-executor.parallelism-max"));
        assertEquals(1, shared.getInt("akka.remote.default-remote-dispatcher.fork-join-executor.parallelism-max"));
        assertEquals(1, shared.getInt("akka.remote.artery.advanced.inbound-lanes"));
        Config own = ClusterConfig.build("h", 0, "", List.of(), false);
        assertEquals(64, own.getInt("akka.actor.default-dispatcher.fork-join-executor.parallelism-max"));
        assertEquals(4, own.getInt("akka.remote.artery.advanced.inbound-lanes"));
    }
}
