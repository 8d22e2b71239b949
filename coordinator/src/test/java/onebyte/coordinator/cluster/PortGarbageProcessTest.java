package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raw garbage at the plain-TCP Artery ports of a running multi-process cluster (coordinator and
 * three nodes on loopback): at the coordinator's port and at node 1's, random bytes without
 * Artery's magic, frames of random bytes on the control, ordinary and large streams, an unknown
 * stream id, negative, oversize and half frames, and connect-and-hold sockets. The run keeps its
 * three members in every round with agreeing replicas, and every process ends with exit code 0
 * and its results written: before {@code BoundedShutdown}, a half frame whose sender then closed
 * its side left a connection Akka 2.8.6 never closes, and the member that held it never finished
 * terminating (the node process waited forever, the coordinator failed with a stack trace).
 */
class PortGarbageProcessTest {
    private static final int ROUNDS = 60;
    private static final int HELD = 40;

    @TempDir
    Path dir;
    @RegisterExtension
    final CliProcesses processes = new CliProcesses();

    @Test
    void garbageAtTheCoordinatorsAndANodesPortStopsNoOne() throws Exception {
        int port = CliProcesses.freePort();
        String seed = "127.0.0.1:" + port;
        Path out = dir.resolve("run");
        Process coordinator = processes.start("coordinator", true, "coordinator", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--nodes", "3", "--rounds", Integer.toString(ROUNDS), "--round-deadline", "5s", "--workload", TinyWorkloadFactory.FLAG,
                "--engine", "core", "--lr", "0.05", "--batch-size", "32", "--run-id", "garbage", "--out", out.toString(),
                "--round-pace", "250ms");
        List<Process> nodes = new ArrayList<>();
        int node1Port = CliProcesses.freePort();
        for (int i = 1; i <= 3; i++) {
            nodes.add(processes.start("node" + i, true, "node", "--host", "127.0.0.1", "--port", i == 1 ? Integer.toString(node1Port) : "0",
                    "--seed-nodes", seed));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (rowsSoFar(out) < 2) { // round 0 closed: every node is up and a member
            assertTrue(System.nanoTime() < deadline, "no round 1 within 150 s:\n" + readLog("coordinator"));
            assertTrue(coordinator.isAlive(), readLog("coordinator"));
            Thread.sleep(250);
        }
        AtomicLong connections = new AtomicLong();
        Thread atCoordinator = garbage(port, coordinator, connections, 11);
        Thread atNode = garbage(node1Port, coordinator, connections, 12);

        boolean done = coordinator.waitFor(240, TimeUnit.SECONDS);
        String log = readLog("coordinator");
        assertTrue(done, "coordinator did not finish:\n" + log);
        atCoordinator.join(10_000);
        atNode.join(10_000);
        assertEquals(0, coordinator.exitValue(), log);
        assertTrue(Files.exists(out.resolve("summary.json")), "no summary.json:\n" + log);
        List<MetricsRow> rows = MetricsFiles.readCsv(out.resolve(MetricsFiles.CSV));
        assertEquals(ROUNDS, rows.size(), log);
        for (MetricsRow row : rows) {
            assertEquals(3, row.members(), "round " + row.round() + ": a member was lost\n" + log);
            assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round());
        }
        for (int i = 1; i <= 3; i++) {
            Process node = nodes.get(i - 1);
            boolean exited = node.waitFor(90, TimeUnit.SECONDS);
            String nodeLog = readLog("node" + i);
            assertTrue(exited, "node" + i + " still running 90 s after the run:\n" + nodeLog);
            assertTrue(nodeLog.contains("run complete after " + ROUNDS + " rounds; replica at " + ROUNDS + " agrees"), nodeLog);
            assertEquals(0, node.exitValue(), "node" + i + ":\n" + nodeLog);
        }
        assertTrue(connections.get() > 200, "garbage connections during the run: " + connections.get());
        System.out.println(connections.get() + " garbage connections at the coordinator's and node 1's ports; warnings:");
        for (String name : List.of("coordinator", "node1")) {
            readLog(name).lines().filter(l -> l.contains(" WARN ")).map(l -> l.substring(l.indexOf(" WARN ")).replaceAll("[0-9]+", "N"))
                    .collect(java.util.stream.Collectors.groupingBy(l -> l, java.util.TreeMap::new, java.util.stream.Collectors.counting()))
                    .forEach((l, n) -> System.out.println("  " + name + " " + n + "x" + l));
        }
    }

    /** A thread that throws the kinds of garbage in turn at {@code port} while the run lasts, then closes what it holds. */
    private static Thread garbage(int port, Process coordinator, AtomicLong connections, long seed) {
        Thread t = new Thread(() -> {
            Random rnd = new Random(seed);
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; coordinator.isAlive() && i < 300; i++) {
                    try {
                        Socket s = new Socket("127.0.0.1", port);
                        connections.incrementAndGet();
                        if (held.size() < HELD && i % 3 == 0) {
                            held.add(s); // connect and hold; some of them get half a frame first
                            if (i % 2 == 0) {
                                s.getOutputStream().write(frame(1, 1000, 10, rnd));
                            }
                            continue;
                        }
                        try (s) {
                            write(s.getOutputStream(), i % 8, rnd);
                        }
                    } catch (IOException e) {
                        // the member closed the connection: what it should do
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                for (Socket s : held) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }
        }, "port-garbage-" + port);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void write(OutputStream o, int kind, Random rnd) throws IOException {
        byte[] junk = new byte[1 + rnd.nextInt(4096)];
        rnd.nextBytes(junk);
        switch (kind) {
            case 0 -> o.write(junk); // no magic
            case 1, 2, 3 -> o.write(frame(kind - 1, 200, 200, rnd)); // a whole frame of random bytes on stream 0, 1, 2
            case 4 -> o.write(frame(7, 200, 200, rnd)); // a stream id Artery does not have
            case 5 -> o.write(frame(1, -5, 100, rnd)); // negative length
            case 6 -> o.write(frame(2, Integer.MAX_VALUE, 1000, rnd)); // oversize, then closed: a truncated frame
            default -> o.write(frame(1, 1000, 10, rnd)); // half a frame, then closed
        }
        o.flush();
    }

    /** "AKKA", the stream id, a little-endian frame length and {@code bytes} random bytes. */
    private static byte[] frame(int streamId, int length, int bytes, Random rnd) {
        byte[] body = new byte[bytes];
        rnd.nextBytes(body);
        return ByteBuffer.allocate(4 + 1 + 4 + bytes).order(ByteOrder.LITTLE_ENDIAN).put("AKKA".getBytes(StandardCharsets.US_ASCII))
                .put((byte) streamId).putInt(length).put(body).array();
    }

    private static int rowsSoFar(Path out) {
        try {
            return Files.exists(out.resolve(MetricsFiles.CSV)) ? MetricsFiles.readCsv(out.resolve(MetricsFiles.CSV)).size() : 0;
        } catch (RuntimeException e) {
            return 0; // a row being written
        }
    }

    private String readLog(String name) throws IOException {
        Path f = processes.log(name);
        return Files.exists(f) ? Files.readString(f) : "";
    }
}
