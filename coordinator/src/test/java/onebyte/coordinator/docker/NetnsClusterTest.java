package onebyte.coordinator.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/netns-cluster.sh: the coordinator and 3 nodes as separate hosts (one network namespace
 * each, veth pairs on a bridge, 20 ms one-way delay on every node link). Needs root, iproute2
 * and tc (and cc where the kernel has no sch_netem: the script then builds its user-space link);
 * skips with a message elsewhere.
 */
class NetnsClusterTest {
    private static final Path ROOT = DockerTestSupport.repoRoot();
    private static final Path SCRIPT = ROOT.resolve("docker/netns-cluster.sh");
    private static final Pattern RTT = Pattern.compile("rtt (node-\\d+) \\S+ -> coordinator \\S+: ([0-9.]+) ms");
    /** Ethernet (14) + IPv4 (20) + TCP with the timestamp option (32) bytes in front of every TCP segment. */
    static final int FRAME_HEADER_BYTES = 66;

    @BeforeAll
    static void requirements() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "netns-cluster tests need root (network namespaces, veth, bridge); running as " + System.getProperty("user.name"));
        assumeTrue(DockerTestSupport.onPath("ip").isPresent(), "netns-cluster tests need iproute2 (ip): apt-get install -y iproute2");
        assumeTrue(DockerTestSupport.onPath("tc").isPresent(), "netns-cluster tests need tc (iproute2): apt-get install -y iproute2");
        String probe = "obtest" + ProcessHandle.current().pid();
        DockerTestSupport.Result add = DockerTestSupport.run(ROOT, Map.of(), 30, List.of("ip", "netns", "add", probe));
        assumeTrue(add.ok(), "cannot create network namespaces here: " + add.output().strip());
        DockerTestSupport.run(ROOT, Map.of(), 30, List.of("ip", "netns", "del", probe));
        assumeTrue(DockerTestSupport.onPath("cc").isPresent() || kernelHasNetem(),
                "no tc netem in this kernel and no C compiler (cc) to build the user-space link docker/netns-link.c");
    }

    private static boolean kernelHasNetem() throws Exception {
        String ns = "obnetem" + ProcessHandle.current().pid();
        DockerTestSupport.run(ROOT, Map.of(), 30, List.of("ip", "netns", "add", ns));
        try {
            return DockerTestSupport.run(ROOT, Map.of(), 30,
                    List.of("tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms")).ok();
        } finally {
            DockerTestSupport.run(ROOT, Map.of(), 30, List.of("ip", "netns", "del", ns));
        }
    }

    private static List<String> namespacesOf(long scriptPid) throws Exception {
        String prefix = "obn" + scriptPid + "-";
        return DockerTestSupport.run(ROOT, Map.of(), 30, List.of("ip", "netns", "list")).output().lines()
                .map(l -> l.split(" ")[0]).filter(n -> n.startsWith(prefix)).toList();
    }

    @Test
    void nodeLinksDelayTwentyMillisecondsEachWayAndTheTopologyIsTornDown(@TempDir Path out) throws Exception {
        Process p = new ProcessBuilder("bash", SCRIPT.toString(), "--check-network", "--nodes", "3", "--latency-ms", "20",
                "--out", out.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
        Map<String, Double> rtt = new TreeMap<>();
        Matcher m = RTT.matcher(text);
        while (m.find()) {
            rtt.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        assertEquals(List.of("node-1", "node-2", "node-3"), List.copyOf(rtt.keySet()), text);
        // RTT = 20 ms out + 20 ms back; the measurement adds a bash/date start-up (a few ms, more
        // on a loaded machine). Unshaped, the same measurement gives under 5 ms.
        rtt.forEach((node, ms) -> assertTrue(ms >= 40.0 && ms < 90.0, node + " RTT " + ms + " ms\n" + text));
        assertTrue(text.contains("5 namespaces deleted"), text);
        assertEquals(List.of(), namespacesOf(p.pid()));
    }

    @Test
    void ctrlCTearsEverythingDown(@TempDir Path out) throws Exception {
        Path log = out.resolve("script.log");
        Process p = new ProcessBuilder("bash", SCRIPT.toString(), "--check-network", "--nodes", "2", "--latency-ms", "5",
                "--hold", "300", "--out", out.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(log).contains("network ready")) {
                assertTrue(p.isAlive(), Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "no 'network ready':\n" + Files.readString(log));
                Thread.sleep(100);
            }
            assertEquals(4, namespacesOf(p.pid()).size(), "switch + coordinator + 2 nodes while up");
            assertEquals(0, DockerTestSupport.run(ROOT, Map.of(), 10, List.of("kill", "-INT", "" + p.pid())).exitCode());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script must stop on SIGINT");
        } finally {
            if (p.isAlive()) { // a failed assertion above: SIGTERM makes the script tear down too
                p.destroy();
                p.waitFor(60, TimeUnit.SECONDS);
            }
        }
        String text = Files.readString(log);
        assertEquals(130, p.exitValue(), text);
        assertTrue(text.contains("interrupted") && text.contains("torn down"), text);
        assertEquals(List.of(), namespacesOf(p.pid()));
    }

    @Test
    void spsaRunAcrossNamespacesAgreesAndWireBytesMatchTheMetrics(@TempDir Path out) throws Exception {
        boolean cli;
        try {
            Class.forName("onebyte.coordinator.cli.CoordinatorCommand");
            Class.forName("onebyte.coordinator.cli.NodeCommand");
            cli = true;
        } catch (ClassNotFoundException e) {
            cli = false;
        }
        assumeTrue(cli, "the multi-process CLI (onebyte coordinator / onebyte node) is not in this build yet");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        int rounds = 20;
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString(), "--nodes", "3", "--latency-ms", "20",
                "--classpath", cp, "--java-opts", "-Xmx768m", "--timeout", "900", "--out", out.toString(), "--",
                "--rounds", "" + rounds, "--samples", "32", "--distribution", "rademacher", "--round-deadline", "60s",
                "--eval-every", "" + rounds));
        DockerTestSupport.Result r = DockerTestSupport.run(ROOT, Map.of(), 1000, cmd);
        String logs = r.output() + tail(out.resolve("logs/coordinator.log"));
        assertEquals(0, r.exitCode(), logs);

        List<Map<String, String>> rows = csv(out.resolve("run/metrics.csv"));
        assertEquals(rounds, rows.size(), logs);
        for (Map<String, String> row : rows) {
            assertEquals("true", row.get("replicas_agree"), "round " + row.get("round") + " " + row + "\n" + logs);
            assertEquals("96", row.get("contributed"), "3 nodes x 32 samples in round " + row.get("round"));
        }
        WireCheck w = WireCheck.of(out.resolve("wire-timeline.tsv"), rows);
        System.out.println("netns wire check: " + w);
        assertTrue(w.ticks() >= 20, w.toString());
        // The metrics count protobuf payload + 32 bytes per message, the smallest Artery frame
        // (4-byte length + 28-byte header with compressed actor refs): the wire cannot carry less
        // per metrics byte (0.9 leaves room for the fit's noise). Above 1: actor refs sent as
        // literal paths until compression tables are advertised, and the nodes' per-round
        // telemetry, which the rows leave out. Observed on a loaded 2-core machine (load ~20) in
        // four runs: k = 1.38, 1.47, 1.81, 2.02. Metrics that left out the 32-byte envelope would
        // count 2.0 kB instead of 5.3 kB per round (a contribution is 11 bytes of payload, 43 with
        // it): k above 3.6 at the lowest observed level; metrics that counted messages twice, k
        // below 1.0 at the highest. The bound sits between those.
        assertTrue(w.k() >= 0.9 && w.k() <= 3.0, "wire payload per metrics byte out of [0.9, 3.0]: " + w);
        // the cluster's own chatter among 4 members: some kB/s, never zero, never the bulk
        assertTrue(w.backgroundBytesPerSecond() > 500 && w.backgroundBytesPerSecond() < 200_000, w.toString());
    }

    /**
     * Fits the TCP payload the nodes' interfaces carried, tick by tick (every 0.5 s), as
     * {@code background rate x seconds + k x metrics bytes}: the cluster's own traffic (gossip,
     * heartbeats, compression-table advertisements on every association) grows with time, the
     * protocol's with the metrics' {@code bytes_cum}. Rounds progress unevenly in time, so the two
     * are told apart by least squares over the ticks from 20 s before round 0's row to the last
     * row. k is the number of wire payload bytes per byte the metrics count.
     */
    record WireCheck(int ticks, double seconds, long wirePayloadBytes, long wireFrameBytes, long metricsBytes,
                     double backgroundBytesPerSecond, double k) {

        static WireCheck of(Path timeline, List<Map<String, String>> rows) throws IOException {
            long[] cum = new long[rows.size() + 1];
            for (int i = 0; i < rows.size(); i++) {
                cum[i + 1] = Long.parseLong(rows.get(i).get("bytes_cum"));
            }
            // per tick: rows written so far, summed node payload (frame bytes - 66 per frame), frame bytes
            TreeMap<Long, long[]> ticks = new TreeMap<>();
            List<String> lines = Files.readAllLines(timeline);
            for (String l : lines.subList(1, lines.size())) {
                String[] f = l.split("\t");
                if (!f[3].startsWith("node-")) {
                    continue;
                }
                long bytes = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                long frames = Long.parseLong(f[6]) + Long.parseLong(f[7]);
                long[] t = ticks.computeIfAbsent(Long.parseLong(f[0]), x -> new long[3]);
                t[0] = Long.parseLong(f[2]);
                t[1] += bytes - FRAME_HEADER_BYTES * frames;
                t[2] += bytes;
            }
            long first = ticks.entrySet().stream().filter(e -> e.getValue()[0] >= 1).findFirst().orElseThrow().getKey();
            long last = ticks.entrySet().stream().filter(e -> e.getValue()[0] >= rows.size()).findFirst().orElseThrow().getKey();
            List<Map.Entry<Long, long[]>> sel = List.copyOf(ticks.subMap(first - 20_000, true, last, true).entrySet());
            double s11 = 0, s12 = 0, s22 = 0, t1 = 0, t2 = 0;
            for (int i = 1; i < sel.size(); i++) {
                double dt = (sel.get(i).getKey() - sel.get(i - 1).getKey()) / 1000.0;
                double dm = cum[(int) sel.get(i).getValue()[0]] - cum[(int) sel.get(i - 1).getValue()[0]];
                double dw = sel.get(i).getValue()[1] - sel.get(i - 1).getValue()[1];
                s11 += dt * dt;
                s12 += dt * dm;
                s22 += dm * dm;
                t1 += dt * dw;
                t2 += dm * dw;
            }
            double det = s11 * s22 - s12 * s12;
            Map.Entry<Long, long[]> a = sel.get(0);
            Map.Entry<Long, long[]> b = sel.get(sel.size() - 1);
            return new WireCheck(sel.size(), (b.getKey() - a.getKey()) / 1000.0, b.getValue()[1] - a.getValue()[1],
                    b.getValue()[2] - a.getValue()[2], cum[(int) b.getValue()[0]] - cum[(int) a.getValue()[0]],
                    (t1 * s22 - t2 * s12) / det, (s11 * t2 - s12 * t1) / det);
        }

        @Override
        public String toString() {
            return String.format("%d ticks over %.1f s: node frames %d B, TCP payload %d B, metrics %d B; "
                            + "fit: background %.0f B/s + %.3f x metrics bytes",
                    ticks, seconds, wireFrameBytes, wirePayloadBytes, metricsBytes, backgroundBytesPerSecond, k);
        }
    }

    private static List<Map<String, String>> csv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.get(0).split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], i < f.length ? f[i] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        List<String> l = Files.readAllLines(file);
        return "\n--- " + file + "\n" + String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
    }
}
