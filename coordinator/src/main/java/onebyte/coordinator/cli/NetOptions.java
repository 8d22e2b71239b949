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

    /** Starts the readiness probe when --health-port is set. */
    void startReadiness(akka.actor.typed.ActorSystem<?> system) {
        if (healthPort >= 0) {
            onebyte.node.ReadinessEndpoint.start(system, bindHost == null || bindHost.isEmpty() ? "0.0.0.0" : bindHost, healthPort);
        }
    }
}
