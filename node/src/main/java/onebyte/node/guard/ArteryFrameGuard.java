package onebyte.node.guard;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plain-TCP Artery port of a multi-process member, guarded: it listens where the member is
 * reached (its canonical host and port) and passes each inbound connection on to the member's
 * ActorSystem, bound to a loopback port of its own, only as far as it is well-formed Artery TCP:
 * the connection header ("AKKA" and a stream id of 0, 1 or 2, within {@link #HEADER_TIMEOUT_MS}),
 * then whole frames whose 4-byte little-endian length lies between an envelope header and
 * Artery's maximum frame size. Anything else closes the connection before Artery sees the bad
 * part, and is logged once per kind and counted.
 *
 * <p>Why: Akka 2.8.6's Artery TCP framing trusts the length field. A frame of negative length
 * makes its parser step back and emit empty frames forever (each a warning with a stack trace,
 * until the heap runs out: one 9-byte message stops a member), and a frame that is begun but
 * never finished, whose sender then closes, leaves a connection Artery never closes. TLS
 * (docs/tls.md) keeps such peers out at the handshake; this guard is for the plain-TCP default of
 * multi-process and compose clusters. Bytes on the wire are unchanged (frames pass through as
 * they came); the cost is one loopback hop per frame on the receiving member.
 */
public final class ArteryFrameGuard implements AutoCloseable {
    /** Artery's envelope header: the smallest frame Artery itself sends. */
    static final int MIN_FRAME = 28;
    /** How long a new connection may take to send the 5-byte Artery connection header. */
    static final int HEADER_TIMEOUT_MS = 10_000;
    /** Connections passed on at once; more are closed at accept (a flood of held sockets). */
    static final int MAX_CONNECTIONS = 512;
    private static final byte[] MAGIC = "AKKA".getBytes(StandardCharsets.US_ASCII);
    private static final Logger LOG = LoggerFactory.getLogger(ArteryFrameGuard.class);

    private final ServerSocket server;
    private volatile int internalPort;
    private final int maxFrame;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final Set<String> kindsLogged = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ArteryFrameGuard(ServerSocket server, int internalPort, int maxFrame) {
        this.server = server;
        this.internalPort = internalPort;
        this.maxFrame = maxFrame;
    }

    /**
     * Listens on {@code bindHost:port} (port 0 = any free port) and picks a free loopback port for
     * the ActorSystem to bind ({@link #internalPort()}); frames up to {@code maxFrame} bytes pass.
     */
    public static ArteryFrameGuard start(String bindHost, int port, int maxFrame) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(bindHost), port), 256);
        ArteryFrameGuard guard = new ArteryFrameGuard(server, freeLoopbackPort(), maxFrame);
        Thread accept = new Thread(guard::acceptLoop, "artery-frame-guard-" + server.getLocalPort());
        accept.setDaemon(true);
        accept.start();
        return guard;
    }

    /** The port the member is reached at (its canonical port). */
    public int port() {
        return server.getLocalPort();
    }

    /**
     * Picks another free loopback port for the ActorSystem: the port is free when it is picked, but
     * another process can take it before the system binds it (seen with four node processes started
     * at once), and then the system's start fails; the caller picks again and retries.
     */
    public int moveInternalPort() throws IOException {
        internalPort = freeLoopbackPort();
        return internalPort;
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** The loopback port the member's ActorSystem binds. */
    public int internalPort() {
        return internalPort;
    }

    /** Connections closed for breaking the framing so far. */
    public long refused() {
        return refused.get();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("frame guard at port {}: accept failed: {}", port(), e.getMessage());
                }
                return;
            }
            if (open.incrementAndGet() > MAX_CONNECTIONS) {
                open.decrementAndGet();
                refuse(client, "more than " + MAX_CONNECTIONS + " connections at once");
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    pass(client);
                } finally {
                    open.decrementAndGet();
                }
            }, "artery-frame-guard-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Passes one connection on, frame by frame, until either side ends it or it breaks the framing. */
    private void pass(Socket client) {
        try (client) {
            client.setTcpNoDelay(true);
            client.setSoTimeout(HEADER_TIMEOUT_MS);
            DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream(), 64 * 1024));
            byte[] header = new byte[5];
            try {
                in.readFully(header);
            } catch (SocketTimeoutException e) {
                refuse(null, "no Artery connection header within " + HEADER_TIMEOUT_MS / 1000 + " s");
                return;
            } catch (EOFException e) {
                refuse(null, "closed before a whole Artery connection header");
                return;
            }
            if (!Arrays.equals(MAGIC, Arrays.copyOf(header, 4))) {
                refuse(null, "no Artery magic");
                return;
            }
            if (header[4] < 0 || header[4] > 2) {
                refuse(null, "unknown Artery stream id");
                return;
            }
            client.setSoTimeout(0);
            try (Socket member = new Socket(InetAddress.getLoopbackAddress(), internalPort)) {
                member.setTcpNoDelay(true);
                watchForClose(member, client);
                OutputStream out = new BufferedOutputStream(member.getOutputStream(), 64 * 1024);
                out.write(header);
                out.flush();
                try {
                    copyFrames(in, out);
                } finally {
                    out.flush(); // the whole frames before a bad one, or before the peer closed
                }
            }
        } catch (IOException e) {
            // either side went away: the connection ends, as it would without the guard
        }
    }

    private void copyFrames(DataInputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[64 * 1024];
        byte[] len = new byte[4];
        while (true) {
            int first = in.read();
            if (first < 0) {
                return; // the peer closed between frames
            }
            len[0] = (byte) first;
            try {
                in.readFully(len, 1, 3);
            } catch (EOFException e) {
                refuse(null, "closed within a frame length");
                return;
            }
            int frame = (len[0] & 0xff) | (len[1] & 0xff) << 8 | (len[2] & 0xff) << 16 | (len[3] & 0xff) << 24;
            if (frame < MIN_FRAME || frame > maxFrame) {
                refuse(null, frame < 0 ? "negative frame length" : frame < MIN_FRAME ? "frame shorter than an envelope header"
                        : "frame longer than the maximum frame size");
                return;
            }
            // read the whole frame before passing any of it on: a half frame never reaches Artery
            if (frame > buf.length) {
                buf = new byte[frame]; // kept for the connection's later large frames (snapshot chunks)
            }
            try {
                in.readFully(buf, 0, frame);
            } catch (EOFException e) {
                refuse(null, "closed within a frame");
                return;
            }
            out.write(len);
            out.write(buf, 0, frame);
            if (in.available() == 0) {
                out.flush();
            }
        }
    }

    /** Artery sends nothing back on an inbound connection; when it closes its side, the peer's connection is closed too. */
    private static void watchForClose(Socket member, Socket client) {
        Thread w = new Thread(() -> {
            try (InputStream back = member.getInputStream()) {
                while (back.read() >= 0) {
                    // nothing is expected
                }
            } catch (IOException e) {
                // closed
            }
            try {
                client.close();
            } catch (IOException ignored) {
                // closing
            }
        }, "artery-frame-guard-watch");
        w.setDaemon(true);
        w.start();
    }

    private void refuse(Socket client, String kind) {
        refused.incrementAndGet();
        if (kindsLogged.add(kind)) {
            LOG.warn("frame guard at port {}: closed a connection: {} (logged once per kind)", port(), kind);
        }
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
