package onebyte.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/**
 * Builds the Akka config of one onebyte ActorSystem: its addresses, then the JVM's system
 * properties ({@code -Dakka....}), then onebyte/cluster.conf, then Akka's defaults.
 */
public final class ClusterConfig {
    /** The name of every onebyte ActorSystem; members of one cluster must share it. */
    public static final String SYSTEM_NAME = "onebyte";

    /**
     * Acceptable heartbeat pause of systems that share one JVM (embedded clusters). Dozens of
     * ActorSystems on two cores can go several seconds without running a heartbeat while nodes
     * build their workloads; with the 3 s of a separate process, the failure detector then marks
     * most of the cluster unreachable and the Split Brain Resolver downs it. A crashed embedded
     * node is therefore detected after about this long plus SBR's stable-after; the round it
     * crashed in still closes at its deadline.
     */
    public static final String SHARED_JVM_HEARTBEAT_PAUSE = "15s";

    /**
     * The thread counts of a system that shares its JVM (embedded runs): small dispatchers and one
     * inbound lane, under the JVM's {@code -Dakka...} options (see the file).
     */
    static final String SHARED_JVM_CONF = "onebyte/shared-jvm.conf";

    private ClusterConfig() {}

    /** {@code config} for a system that shares its JVM with the other members (embedded clusters). */
    private static Config sharedJvm(Config config) {
        return ConfigFactory.empty()
                .withValue("akka.cluster.failure-detector.acceptable-heartbeat-pause",
                        ConfigValueFactory.fromAnyRef(SHARED_JVM_HEARTBEAT_PAUSE))
                .withFallback(config);
    }

    /**
     * @param host the canonical (advertised) hostname
     * @param port the canonical port (0 = any free port)
     * @param bindHost the interface to bind ("" = host)
     * @param seedNodes "host:port" of the seed nodes (the coordinator first); empty = this system
     *     is the first seed and joins itself
     * @param crashable true for the systems of an embedded cluster (in one JVM with the others, see
     *     {@link #sharedJvm}): terminating the ActorSystem then skips coordinated shutdown, so a node
     *     that churn crashes vanishes without leaving the cluster, and tearing the whole cluster down
     *     at the end of a run does not wait for a leave that cannot converge; such a system also
     *     keeps fewer threads ({@link #SHARED_JVM_CONF})
     */
    public static Config build(String host, int port, String bindHost, List<String> seedNodes, boolean crashable) {
        return build(host, port, bindHost, seedNodes, crashable, null);
    }

    /**
     * {@link #build(String, int, String, List, boolean)} with Artery over TLS when {@code tls} is
     * not null (plain TCP when it is). JVM {@code -Dakka....} options still override its settings.
     */
    public static Config build(String host, int port, String bindHost, List<String> seedNodes, boolean crashable, onebyte.node.tls.TlsSettings tls) {
        return build(host, port, bindHost, port, seedNodes, crashable, tls);
    }

    /**
     * {@link #build(String, int, String, List, boolean, onebyte.node.tls.TlsSettings)} with the
     * system bound to {@code bindHost:bindPort} while it is reached at {@code host:port}: behind an
     * {@link onebyte.node.guard.ArteryFrameGuard} (bound to a loopback port of its own) or a NAT.
     */
    public static Config build(String host, int port, String bindHost, int bindPort, List<String> seedNodes, boolean crashable,
                               onebyte.node.tls.TlsSettings tls) {
        List<String> seeds = seedNodes.stream().map(ClusterConfig::seedAddress).toList();
        Config c = ConfigFactory.empty()
                .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                .withValue("akka.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
        if (bindHost != null && !bindHost.isBlank()) {
            c = c.withValue("akka.remote.artery.bind.hostname", ConfigValueFactory.fromAnyRef(bindHost))
                    .withValue("akka.remote.artery.bind.port", ConfigValueFactory.fromAnyRef(bindPort));
        }
        if (crashable) {
            c = sharedJvm(c.withValue("akka.coordinated-shutdown.run-by-actor-system-terminate", ConfigValueFactory.fromAnyRef("off")));
        }
        // JVM -D options (e.g. -Dakka.cluster.failure-detector.acceptable-heartbeat-pause=10s in
        // ONEBYTE_JAVA_OPTS on an overloaded host) override onebyte/cluster.conf, not the addresses above
        return c.withFallback(ConfigFactory.systemProperties())
                .withFallback(crashable ? ConfigFactory.parseResources(ClusterConfig.class.getClassLoader(), SHARED_JVM_CONF)
                        : ConfigFactory.empty())
                .withFallback(tls == null ? ConfigFactory.empty() : tls.akkaConfig())
                .withFallback(ConfigFactory.parseResources(ClusterConfig.class.getClassLoader(), "onebyte/cluster.conf"))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    /** "host:port" → akka://onebyte@host:port (a full akka:// address passes through). */
    public static String seedAddress(String hostPort) {
        if (hostPort.startsWith("akka://")) {
            return hostPort;
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("seed node must be host:port, got '" + hostPort + "'");
        }
        Integer.parseInt(hostPort.substring(colon + 1));
        return "akka://" + SYSTEM_NAME + "@" + hostPort;
    }

    /** The path of the coordinator actor in the system at this seed address. */
    public static String coordinatorPath(String hostPort) {
        return seedAddress(hostPort) + "/user/coordinator";
    }
}
