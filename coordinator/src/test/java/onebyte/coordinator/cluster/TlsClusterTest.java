package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import onebyte.coordinator.cli.OnebyteCommand;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.tls.RunCertificates;
import onebyte.node.tls.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS cluster of processes on loopback: the coordinator and three nodes with certificates of
 * the run's CA ({@code onebyte certs}) complete a run with agreeing replicas, while four outsiders
 * keep trying to join the same coordinator: a node without TLS, a TLS node presenting no
 * certificate, one with a certificate of another CA and one whose certificate has expired. None
 * is ever admitted, the run goes on with its three members, and the coordinator logs each refused
 * connection with the handshake's reason. Raw garbage thrown at the coordinator's port during the
 * run (random bytes, Artery half and oversize frames, held connections) fails in the handshake too.
 */
class TlsClusterTest {
    private static final int ROUNDS = 40;

    @TempDir
    Path dir;
    @RegisterExtension
    final CliProcesses processes = new CliProcesses();

    @Test
    void onlyMembersWithTheRunsCertificatesAreAdmitted() throws Exception {
        Path certs = dir.resolve("certs");
        assertEquals(0, OnebyteCommand.commandLine().execute("certs", "--out", certs.toString(), "--nodes", "3"));
        assertEquals(0, OnebyteCommand.commandLine().execute("certs", "--out", certs.toString(), "--names", "expired",
                "--start-days", "-10", "--days", "1"));
        String password = TlsSettings.readPassword(certs.resolve(RunCertificates.PASSWORD_FILE));
        Path other = dir.resolve("other-ca");
        RunCertificates.newAuthority(other, password, 30).member("node-1", 0, 30, List.of("127.0.0.1"));
        String trust = certs.resolve(RunCertificates.TRUST_STORE).toString();

        int port = CliProcesses.freePort();
        String seed = "127.0.0.1:" + port;
        Path out = dir.resolve("run");
        Process coordinator = processes.start("coordinator", true, "coordinator", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--nodes", "3", "--rounds", Integer.toString(ROUNDS), "--round-deadline", "5s", "--workload", TinyWorkloadFactory.FLAG,
                "--engine", "core", "--lr", "0.05", "--batch-size", "32", "--run-id", "tls", "--out", out.toString(),
                "--round-pace", "250ms", "--tls-dir", certs.toString());
        Map<String, Process> outsiders = new LinkedHashMap<>();
        outsiders.put("plain", processes.start("plain", true, "node", "--host", "127.0.0.1", "--seed-nodes", seed));
        // TLS with the run's trust store but no key: Akka's own provider, set up by -D options, presents no certificate
        String ssl = "-Dakka.remote.artery.ssl.config-ssl-engine.";
        outsiders.put("no-certificate", processes.start("no-certificate", true, List.of("-Dakka.remote.artery.transport=tls-tcp",
                ssl + "key-store=" + trust, ssl + "trust-store=" + trust, ssl + "key-store-password=" + password,
                ssl + "key-password=" + password, ssl + "trust-store-password=" + password, ssl + "protocol=TLSv1.3",
                ssl + "enabled-algorithms.0=TLS_AES_128_GCM_SHA256"), "node", "--host", "127.0.0.1", "--seed-nodes", seed));
        outsiders.put("other-ca", processes.start("other-ca", true, "node", "--host", "127.0.0.1", "--seed-nodes", seed,
                "--tls-dir", certs.toString(), "--tls-key-store", other.resolve("node-1.p12").toString()));
        outsiders.put("expired", processes.start("expired", true, "node", "--host", "127.0.0.1", "--seed-nodes", seed,
                "--tls-dir", certs.toString(), "--tls-key-store", certs.resolve("expired.p12").toString()));

        // the members start once every outsider has been refused at least once (fewer JVMs starting at a time)
        Map<String, String> reasons = Map.of("plain", "plaintext connection?", "no-certificate", "Empty client certificate chain",
                "other-ca", "Empty client certificate chain", "expired", "validity check failed");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (!allRefused(reasons.values(), port, readLog("coordinator")) || !readLog("other-ca").contains("TLS: outbound connection")) {
            assertTrue(System.nanoTime() < deadline, "outsiders not refused within 150 s:\n" + readLog("coordinator"));
            assertTrue(coordinator.isAlive(), readLog("coordinator"));
            Thread.sleep(500);
        }
        List<Process> members = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            members.add(processes.start("node" + i, true, "node", "--host", "127.0.0.1", "--seed-nodes", seed,
                    "--tls-dir", certs.toString(), "--tls-key-store", certs.resolve("node-" + i + ".p12").toString()));
        }
        // raw garbage at the coordinator's TLS port during the run: random bytes, Artery half frames and oversize frames
        // (over plain TCP the frame guard stops those, PortGarbageProcessTest), and 50 connect-and-hold sockets
        java.util.concurrent.atomic.AtomicLong garbageConnections = new java.util.concurrent.atomic.AtomicLong();
        Thread garbage = new Thread(() -> throwGarbage(port, coordinator, garbageConnections), "tls-port-garbage");
        garbage.setDaemon(true);
        garbage.start();
        long started = System.nanoTime();
        boolean done = coordinator.waitFor(180, TimeUnit.SECONDS);
        System.out.printf("TLS run: coordinator finished %.1f s after the members started%n", (System.nanoTime() - started) / 1e9);
        String log = Files.readString(processes.log("coordinator"));
        assertTrue(done, "coordinator did not finish:\n" + log);
        assertEquals(0, coordinator.exitValue(), log);
        assertTrue(log.contains("(TLS, mutual authentication)"), log);

        List<MetricsRow> rows = MetricsFiles.readCsv(out.resolve(MetricsFiles.CSV));
        assertEquals(ROUNDS, rows.size());
        for (MetricsRow row : rows) {
            assertEquals(3, row.members(), "round " + row.round() + ": only the three members with certificates");
            assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round());
        }
        for (int i = 1; i <= 3; i++) {
            assertTrue(members.get(i - 1).waitFor(60, TimeUnit.SECONDS), "node" + i + " still running");
            String nodeLog = Files.readString(processes.log("node" + i));
            assertTrue(nodeLog.contains("run complete after " + ROUNDS + " rounds; replica at " + ROUNDS + " agrees"), nodeLog);
            assertEquals(0, members.get(i - 1).exitValue(), "node" + i);
        }
        // each outsider's connections were refused in the handshake and logged by the coordinator, with the reason, also
        // during the run: a client holding no certificate of the run's CA presents none (the JDK's key manager only offers
        // a certificate of an issuer the server asks for), so the other CA's node is refused like the one without one
        String duringRun = log.substring(log.indexOf("opening round 0"));
        for (Map.Entry<String, Process> o : outsiders.entrySet()) {
            String outsiderLog = Files.readString(processes.log(o.getKey()));
            System.out.println(o.getKey() + ": " + outsiderLog.lines().filter(l -> l.contains("TLS:")).findFirst().orElse("(no TLS line)"));
            assertFalse(outsiderLog.contains("synced by") || outsiderLog.contains("run complete"), o.getKey() + " was admitted:\n" + outsiderLog);
            assertTrue(refused(reasons.get(o.getKey()), port, duringRun), o.getKey() + ": no refused handshake logged in the run\n" + log);
            assertTrue(o.getValue().isAlive() || o.getValue().exitValue() != 0, o.getKey() + " exited 0");
        }
        // the outsiders with onebyte's TLS settings log their own refusal too
        for (String name : List.of("other-ca", "expired")) {
            String outsiderLog = Files.readString(processes.log(name));
            assertTrue(outsiderLog.contains("TLS: outbound connection to 127.0.0.1:" + port + " dropped"), name + ":\n" + outsiderLog);
        }
        garbage.join(5000);
        assertTrue(garbageConnections.get() > 50, "garbage connections during the run: " + garbageConnections.get());
        System.out.println(garbageConnections.get() + " garbage connections at the coordinator's port; "
                + log.lines().filter(l -> l.contains("TLS:")).count() + " refused connections logged by the coordinator, "
                + duringRun.lines().filter(l -> l.contains("TLS:")).count() + " of them during the run");
    }

    private static void throwGarbage(int port, Process coordinator, java.util.concurrent.atomic.AtomicLong connections) {
        java.util.Random rnd = new java.util.Random(5);
        List<java.net.Socket> held = new ArrayList<>();
        try {
            for (int i = 0; coordinator.isAlive() && i < 400; i++) {
                try {
                    java.net.Socket s = new java.net.Socket("127.0.0.1", port);
                    connections.incrementAndGet();
                    if (held.size() < 50 && i % 2 == 0) {
                        held.add(s); // connect and hold
                        continue;
                    }
                    try (s) {
                        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(5 + 4 + 10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                        frame.put("AKKA".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 2)
                                .putInt(i % 3 == 0 ? Integer.MAX_VALUE : 1000).put(new byte[10]); // oversize or half a frame
                        byte[] junk = new byte[1 + rnd.nextInt(4096)];
                        rnd.nextBytes(junk);
                        s.getOutputStream().write(i % 3 == 1 ? junk : frame.array());
                        s.getOutputStream().flush();
                    }
                    Thread.sleep(50);
                } catch (java.io.IOException e) {
                    // the coordinator closed the connection: what it should do
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (java.net.Socket s : held) {
                try {
                    s.close();
                } catch (java.io.IOException ignored) {
                    // closing
                }
            }
        }
    }

    private static boolean allRefused(java.util.Collection<String> reasons, int port, String log) {
        return reasons.stream().allMatch(r -> refused(r, port, log));
    }

    private static boolean refused(String reason, int port, String log) {
        return log.lines().anyMatch(l -> l.contains("TLS: inbound connection to 127.0.0.1:" + port + " dropped") && l.contains(reason));
    }

    private String readLog(String name) throws java.io.IOException {
        Path f = processes.log(name);
        return Files.exists(f) ? Files.readString(f) : "";
    }
}
