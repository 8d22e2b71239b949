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
}
