package onebyte.node.tls;

import akka.actor.ActorSystem;
import akka.remote.artery.tcp.ConfigSSLEngineProvider;
import javax.net.ssl.SSLEngine;

/**
 * Akka's {@link ConfigSSLEngineProvider} (stores, protocol, suites and mutual authentication from
 * {@code akka.remote.artery.ssl.config-ssl-engine}), whose engines log a failed handshake:
 * Artery closes such a connection without a word, so a refused peer (no certificate, another CA's,
 * an expired one, or no TLS at all) would otherwise be invisible. See {@link HandshakeLoggingEngine}.
 */
public final class HandshakeLoggingEngineProvider extends ConfigSSLEngineProvider {
    public HandshakeLoggingEngineProvider(ActorSystem system) {
        super(system);
    }

    @Override
    public SSLEngine createServerSSLEngine(String hostname, int port) {
        return new HandshakeLoggingEngine(super.createServerSSLEngine(hostname, port), "inbound connection to " + hostname + ":" + port);
    }

    @Override
    public SSLEngine createClientSSLEngine(String hostname, int port) {
        return new HandshakeLoggingEngine(super.createClientSSLEngine(hostname, port), "outbound connection to " + hostname + ":" + port);
    }
}
