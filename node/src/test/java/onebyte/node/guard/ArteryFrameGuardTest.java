package onebyte.node.guard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard against a stand-in for the member's ActorSystem (a server socket at the guard's
 * loopback port that records what reaches it): well-formed frames arrive byte for byte, and a
 * connection that breaks the framing is closed with nothing of the bad part passed on.
 */
class ArteryFrameGuardTest {
    private static final int MAX_FRAME = 512 * 1024;
    private ArteryFrameGuard guard;
    private ServerSocket member;

    @BeforeEach
    void start() throws IOException {
        guard = ArteryFrameGuard.start("127.0.0.1", 0, MAX_FRAME);
        member = new ServerSocket(guard.internalPort(), 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        guard.close();
        member.close();
    }

    @Test
    void wellFormedFramesPassByteForByte() throws Exception {
        Random rnd = new Random(1);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        sent.write(header(1));
        for (int size : new int[] {28, 61, 4096, 131_072 + 60, MAX_FRAME}) {
            sent.write(frame(size, size, rnd));
        }
        CompletableFuture<byte[]> received = receiveOne();
        try (Socket s = new Socket("127.0.0.1", guard.port())) {
            s.getOutputStream().write(sent.toByteArray());
        }
        assertArrayEquals(sent.toByteArray(), received.get(20, TimeUnit.SECONDS));
        assertEquals(0, guard.refused());
    }

    @Test
    void aConnectionThatBreaksTheFramingEndsBeforeTheBadPart() throws Exception {
        Random rnd = new Random(2);
        byte[] good = frame(100, 100, rnd);
        byte[][] bad = {
            frame(-5, 10, rnd), // negative length: Akka 2.8.6 would loop on it
            frame(MAX_FRAME + 1, 100, rnd), // oversize
            frame(10, 10, rnd), // shorter than an envelope header
            frame(1000, 10, rnd), // half a frame, then closed
        };
        for (byte[] b : bad) {
            CompletableFuture<byte[]> received = receiveOne();
            try (Socket s = new Socket("127.0.0.1", guard.port())) {
                s.getOutputStream().write(concat(header(0), good, b));
            }
            assertArrayEquals(concat(header(0), good), received.get(20, TimeUnit.SECONDS), "what passed before the bad frame");
        }
        assertEquals(bad.length, guard.refused());
    }

    @Test
    void noHeaderMeansNoConnectionToTheMember() throws Exception {
        byte[][] bad = {"GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), concat("AKKA".getBytes(StandardCharsets.US_ASCII),
            new byte[] {7}), "AK".getBytes(StandardCharsets.US_ASCII)};
        member.setSoTimeout(1500);
        for (byte[] b : bad) {
            try (Socket s = new Socket("127.0.0.1", guard.port())) {
                s.getOutputStream().write(b);
                s.shutdownOutput();
                assertTrue(closedByPeer(s), "the guard closes it");
            }
        }
        assertTrue(acceptTimesOut(), "the member was never connected to");
        assertEquals(bad.length, guard.refused());
    }

    /** The peer closed (end of stream, or a reset when it closed with bytes of ours unread). */
    private static boolean closedByPeer(Socket s) throws IOException {
        s.setSoTimeout(15_000);
        try {
            return s.getInputStream().read() == -1;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private boolean acceptTimesOut() throws IOException {
        try (Socket ignored = member.accept()) {
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        }
    }

    /** Everything the next connection to the member carries until it is closed. */
    private CompletableFuture<byte[]> receiveOne() {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = member.accept(); InputStream in = s.getInputStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static byte[] header(int streamId) {
        return concat("AKKA".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) streamId});
    }

    private static byte[] frame(int length, int bytes, Random rnd) {
        byte[] body = new byte[bytes];
        rnd.nextBytes(body);
        return ByteBuffer.allocate(4 + bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(length).put(body).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }
}
