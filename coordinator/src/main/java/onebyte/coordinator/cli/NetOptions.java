package onebyte.coordinator.cli;

import picocli.CommandLine.Option;

/** Where this process's ActorSystem listens; each flag falls back to an environment variable (Docker). */
public final class NetOptions {
    @Option(names = "--host", defaultValue = "${env:ONEBYTE_HOST:-127.0.0.1}",
            description = "Advertised hostname (env ONEBYTE_HOST; default ${DEFAULT-VALUE}).")
    String host;
    @Option(names = "--bind-host", defaultValue = "${env:ONEBYTE_BIND_HOST:-}",
            description = "Interface to bind, e.g. 0.0.0.0 in a container (env ONEBYTE_BIND_HOST; default: the host).")
    String bindHost;
    @Option(names = "--port", defaultValue = "${env:ONEBYTE_PORT:-0}",
            description = "Port (env ONEBYTE_PORT; default 25520 for the coordinator, any free port for nodes).")
    int port;
    @Option(names = "--health-port", defaultValue = "${env:ONEBYTE_HEALTH_PORT:--1}",
            description = "Serve GET /ready (200 when this member is Up, else 503) on this port; -1 = off "
                    + "(env ONEBYTE_HEALTH_PORT).")
    int healthPort;

    @Option(names = "--frame-guard", negatable = true, defaultValue = "${env:ONEBYTE_FRAME_GUARD:-true}", fallbackValue = "true",
            description = "Plain TCP: pass inbound Artery connections on only as far as they are well-formed frames "
                    + "(onebyte.node.guard.ArteryFrameGuard; Akka 2.8.6 is stopped by a frame of negative length); "
                    + "--no-frame-guard lets Artery listen itself (env ONEBYTE_FRAME_GUARD; default on; not used with TLS).")
    boolean frameGuard;

    private onebyte.node.guard.ArteryFrameGuard guard;

    /**
     * The Akka config of this process's ActorSystem, reached at --host:{@code port}: over plain TCP
     * and with --frame-guard, the guard listens there (started once per process; later systems of
     * the same process bind the same loopback port behind it) and the system binds a loopback port.
     */
    com.typesafe.config.Config clusterConfig(int port, java.util.List<String> seedNodes, onebyte.node.tls.TlsSettings tls) {
        if (tls != null || !frameGuard) {
            return onebyte.node.ClusterConfig.build(host, port, bindHost, seedNodes, false, tls);
        }
        if (guard == null) {
            com.typesafe.config.Config plain = onebyte.node.ClusterConfig.build(host, port, bindHost, seedNodes, false, null);
            int maxFrame = (int) plain.getBytes("akka.remote.artery.advanced.maximum-frame-size").longValue();
            String listen = bindHost == null || bindHost.isBlank() ? host : bindHost;
            try {
                guard = onebyte.node.guard.ArteryFrameGuard.start(listen, port, maxFrame);
            } catch (java.io.IOException e) {
                throw new onebyte.core.input.BadInputException("cannot listen at " + listen + ":" + port + ": " + e.getMessage());
            }
        }
        return onebyte.node.ClusterConfig.build(host, guard.port(), "127.0.0.1", guard.internalPort(), seedNodes, false, null);
    }

    /**
     * The ActorSystem of {@code behavior} reached at --host:{@code port} ({@link #clusterConfig}).
     * Behind the frame guard the guard already holds the public port, so a failed start is the
     * system's loopback port taken by another process between the guard's pick and the bind: the
     * guard picks another one, up to {@value #GUARD_PORT_TRIES} times.
     */
    <T> akka.actor.typed.ActorSystem<T> system(akka.actor.typed.Behavior<T> behavior, int port, java.util.List<String> seedNodes,
                                               onebyte.node.tls.TlsSettings tls) {
        for (int attempt = 1; ; attempt++) {
            com.typesafe.config.Config config = clusterConfig(port, seedNodes, tls);
            try {
                return akka.actor.typed.ActorSystem.create(behavior, onebyte.node.ClusterConfig.SYSTEM_NAME, config);
            } catch (RuntimeException e) {
                if (guard == null || tls != null || !frameGuard || attempt >= GUARD_PORT_TRIES) {
                    throw e;
                }
                try {
                    int next = guard.moveInternalPort();
                    org.slf4j.LoggerFactory.getLogger(NetOptions.class).warn(
                            "the loopback port behind the frame guard was taken ({}); trying {}", e.getMessage(), next);
                } catch (java.io.IOException io) {
                    throw e;
                }
            }
        }
    }

    private static final int GUARD_PORT_TRIES = 5;

    /** Starts the readiness probe when --health-port is set. */
    void startReadiness(akka.actor.typed.ActorSystem<?> system) {
        if (healthPort >= 0) {
            onebyte.node.ReadinessEndpoint.start(system, bindHost == null || bindHost.isEmpty() ? "0.0.0.0" : bindHost, healthPort);
        }
    }
}
