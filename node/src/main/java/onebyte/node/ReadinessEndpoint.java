package onebyte.node;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tiny HTTP probe for container healthchecks: {@code GET /ready} answers 200 with the member
 * status when this ActorSystem's cluster member is Up, 503 otherwise (joining, leaving, down,
 * or not in the cluster yet). Uses the JDK's built-in HTTP server; nothing else is served.
 */
public final class ReadinessEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReadinessEndpoint.class);
    private final HttpServer server;

    private ReadinessEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Starts the probe on {@code bindHost:port} (port 0 picks a free one). */
    public static ReadinessEndpoint start(ActorSystem<?> system, String bindHost, int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(bindHost, port), 4);
            server.createContext("/ready", exchange -> {
                MemberStatus status = Cluster.get(system).selfMember().status();
                boolean up = status.equals(MemberStatus.up());
                byte[] body = ("member " + status + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(up ? 200 : 503, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            LOG.info("readiness probe at http://{}:{}/ready", bindHost, server.getAddress().getPort());
            system.getWhenTerminated().thenRun(() -> server.stop(0));
            return new ReadinessEndpoint(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the readiness probe on " + bindHost + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
