import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where the bytes on the links of a docker/netns-cluster.sh --capture run go: reads
 * OUT/capture/HOST.pcap (written by docker/netns-link.c), reassembles every TCP stream, parses
 * Artery's TCP framing (a 5-byte connection header "AKKA" + stream id, then per message a 4-byte
 * little-endian length, a 28-byte envelope header, the literal section holding the actor paths
 * and manifests that are not compressed yet, 2 bytes each for an empty one, then the serialized
 * payload) and attributes every frame byte to one of:
 * <ul>
 *   <li>TCP/IP: Ethernet + IPv4 + TCP headers of data segments, pure ACKs, SYN/FIN/RST, non-TCP frames;
 *   <li>Artery framing: connection headers, and per message the length, envelope header and literals;
 *   <li>payload per message kind: the onebyte protocol by type (serializer 7711, manifests of
 *       onebyte.node.wire.WireTypes), cluster membership (serializer 5, and serializer 6, the
 *       actor-selection envelope the cluster sends heartbeats and gossip status in),
 *       Artery control (serializer 17: compression advertisements, handshakes, system messages).
 * </ul>
 * Compressed manifests are resolved through the class-manifest compression tables the peers
 * advertise to each other (seen in the same capture).
 *
 * <pre>
 *   java docker/WireBreakdown.java OUT [--hosts node-] [--from EPOCH_MS] [--to EPOCH_MS] [--tsv | --series]
 * </pre>
 * --hosts: captures whose name starts with this (default "node-": the nodes' links, where each
 * coordinator-node message crosses exactly one capture); --from/--to: only frames captured in
 * [from, to); --tsv: machine-readable lines instead of the table ("frames COUNT BYTES",
 * "category NAME COUNT PAYLOAD FRAMING", and "round R TYPE COUNT PAYLOAD FRAMING" for the round
 * messages of the onebyte protocol); --series: bytes per second of
 * capture time (TCP/IP headers and non-TCP frames, onebyte messages, other Artery traffic).
 */
public final class WireBreakdown {
    /** Serializer id of onebyte.node.wire.WireSerializer. */
    static final int ONEBYTE_SERIALIZER = 7711;
    /** Manifests of onebyte.node.wire.WireTypes (NetnsClusterTest checks the two agree). */
    static final Map<String, String> WIRE_TYPES = Map.ofEntries(
            Map.entry("J", "JoinRequest"), Map.entry("A", "Admit"), Map.entry("JR", "JoinRefused"), Map.entry("SD", "SyncDone"), Map.entry("O", "RoundOpen"),
            Map.entry("C", "Contribution"), Map.entry("K", "Commit"), Map.entry("SR", "SnapshotRequest"),
            Map.entry("SC", "SnapshotChunk"), Map.entry("LR", "CommitLogRequest"), Map.entry("LC", "CommitLogChunk"),
            Map.entry("L", "Leave"), Map.entry("M", "MetricsReport"), Map.entry("E", "RunComplete"),
            Map.entry("FJ", "FedJoin"), Map.entry("FA", "FedAdmit"), Map.entry("FR", "FedReady"), Map.entry("FO", "FedRoundOpen"),
            Map.entry("FC", "FedModelChunk"), Map.entry("FD", "FedDone"), Map.entry("FL", "FedLeave"), Map.entry("FE", "FedRunComplete"));
    /** akka.remote.serialization.ArteryMessageSerializer (17) manifests. */
    static final Map<String, String> CONTROL = Map.ofEntries(
            Map.entry("a", "Quarantined"), Map.entry("b", "ActorSystemTerminating"), Map.entry("c", "ActorSystemTerminatingAck"),
            Map.entry("d", "HandshakeReq"), Map.entry("e", "HandshakeRsp"), Map.entry("f", "ActorRefCompressionAdvertisement"),
            Map.entry("g", "ActorRefCompressionAdvertisementAck"), Map.entry("h", "ClassManifestCompressionAdvertisement"),
            Map.entry("i", "ClassManifestCompressionAdvertisementAck"), Map.entry("j", "SystemMessageEnvelope"),
            Map.entry("k", "SystemMessageDeliveryAck"), Map.entry("l", "SystemMessageDeliveryNack"),
            Map.entry("m", "ArteryHeartbeat"), Map.entry("n", "ArteryHeartbeatRsp"));
    /** akka.cluster.protobuf.ClusterMessageSerializer (5) manifests. */
    static final Map<String, String> CLUSTER = Map.ofEntries(
            Map.entry("J", "Join"), Map.entry("W", "Welcome"), Map.entry("L", "Leave"), Map.entry("D", "Down"),
            Map.entry("PS", "PrepareForShutdown"), Map.entry("IJ", "InitJoin"), Map.entry("IJA", "InitJoinAck"),
            Map.entry("IJN", "InitJoinNack"), Map.entry("HB", "Heartbeat"), Map.entry("HBR", "HeartbeatRsp"),
            Map.entry("EC", "ExitingConfirmed"), Map.entry("GS", "GossipStatus"), Map.entry("GE", "GossipEnvelope"));
    /** akka.cluster.ddata.protobuf.ReplicatorMessageSerializer (12) manifests seen between replicators. */
    static final Map<String, String> DDATA = Map.of("M", "Status", "N", "Gossip", "Q", "DeltaPropagation", "R", "DeltaNack");
    static final int ETH = 14;

    /** Byte and count totals of one category. */
    static final class Tally {
        long count;
        long payload;
        long framing;

        void add(long n, long p, long f) {
            count += n;
            payload += p;
            framing += f;
        }
    }

    /** One Artery message as parsed from a stream. */
    record Message(long tNs, String src, String dst, int serializer, String manifestLiteral, int manifestTag, int manifestTableVersion,
                   int framing, byte[] payload) {}

    /** A class-manifest compression table advertised by {@code advertiser} to {@code origin}. */
    record Table(long tNs, String advertiser, String origin, int version, Map<Integer, String> entries) {}

    /** One direction of a TCP connection, reassembled. */
    static final class Flow {
        final String src;
        final String dst;
        long isn = -1;
        byte[] data = new byte[4096];
        int length;
        final TreeMap<Long, byte[]> pending = new TreeMap<>();
        final List<long[]> marks = new ArrayList<>(); // {stream end offset, capture time} per in-order segment
        final TreeMap<Long, Long> pendingTimes = new TreeMap<>();

        Flow(String src, String dst) {
            this.src = src;
            this.dst = dst;
        }

        /** Adds a segment; returns how many of its bytes the stream (or the out-of-order queue) did not have yet. */
        int segment(long tNs, long seq, byte[] payload) {
            long off = (seq - isn) & 0xffffffffL;
            if (off + payload.length <= length) {
                return 0; // retransmission of bytes already in the stream
            }
            if (off > length) {
                if (pending.containsKey(off)) {
                    return 0;
                }
                pending.put(off, payload);
                pendingTimes.put(off, tNs);
                return payload.length;
            }
            int fresh = (int) (off + payload.length - length);
            append(tNs, payload, (int) (length - off));
            while (!pending.isEmpty() && pending.firstKey() <= length) {
                long o = pending.firstKey();
                byte[] p = pending.remove(o);
                long t = pendingTimes.remove(o);
                if (o + p.length > length) {
                    append(t, p, (int) (length - o));
                }
            }
            return fresh;
        }

        private void append(long tNs, byte[] p, int from) {
            int n = p.length - from;
            if (length + n > data.length) {
                data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, length + n));
            }
            System.arraycopy(p, from, data, length, n);
            length += n;
            marks.add(new long[] {length, tNs});
        }

        /** Capture time of the segment that completed stream byte {@code end - 1}. */
        long timeOf(int end) {
            int lo = 0;
            int hi = marks.size() - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (marks.get(mid)[0] >= end) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return marks.get(lo)[1];
        }
    }

    final Map<String, Tally> tallies = new LinkedHashMap<>();
    /** Per round and onebyte type ("RoundOpen", ...): messages, payload, framing (RoundOpen, Contribution, Commit, MetricsReport). */
    final TreeMap<Long, Map<String, Tally>> rounds = new TreeMap<>();
    /** --series: per whole second of capture time, bytes by group (tcp/ip, onebyte, other Artery). */
    final TreeMap<Long, long[]> series = new TreeMap<>();
    long frames;
    long frameBytes;
    long firstNs = Long.MAX_VALUE;
    long lastNs = Long.MIN_VALUE;

    Tally tally(String category) {
        return tallies.computeIfAbsent(category, k -> new Tally());
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        String hosts = "node-";
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        boolean tsv = false;
        boolean perSecond = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--hosts" -> hosts = args[++i];
                case "--from" -> from = Long.parseLong(args[++i]) * 1_000_000L;
                case "--to" -> to = Long.parseLong(args[++i]) * 1_000_000L;
                case "--tsv" -> tsv = true;
                case "--series" -> perSecond = true;
                case "-h", "--help" -> {
                    System.out.println("usage: java docker/WireBreakdown.java OUT [--hosts PREFIX] [--from EPOCH_MS] [--to EPOCH_MS] [--tsv | --series]");
                    return;
                }
                default -> {
                    if (out != null) {
                        throw new IllegalArgumentException("unexpected argument " + args[i]);
                    }
                    out = Path.of(args[i]);
                }
            }
        }
        if (out == null) {
            System.err.println("usage: java docker/WireBreakdown.java OUT [--hosts PREFIX] [--from EPOCH_MS] [--to EPOCH_MS] [--tsv | --series]");
            System.exit(2);
        }
        List<Path> captures;
        String prefix = hosts;
        try (Stream<Path> s = Files.list(out.resolve("capture"))) {
            captures = s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".pcap")).sorted().toList();
        }
        if (captures.isEmpty()) {
            System.err.println("no " + hosts + "*.pcap in " + out.resolve("capture"));
            System.exit(2);
        }
        WireBreakdown b = new WireBreakdown();
        for (Path c : captures) {
            b.capture(c, from, to);
        }
        if (perSecond) {
            System.out.println("epoch_s\ttcpip_headers\tonebyte\tother_artery");
            b.series.forEach((t, v) -> System.out.println(t + "\t" + v[0] + "\t" + v[1] + "\t" + v[2]));
        } else if (tsv) {
            b.printTsv(captures);
        } else {
            b.printTable(captures);
        }
    }

    /** Reads one capture and adds its frames and messages inside [from, to) to the tallies. */
    void capture(Path pcap, long from, long to) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(pcap));
        int magic = in.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b23c4d && magic != 0xa1b2c3d4) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
        }
        long unit = switch (magic) {
            case 0xa1b23c4d -> 1;
            case 0xa1b2c3d4 -> 1000;
            default -> throw new IOException(pcap + ": not a pcap file");
        };
        if (in.getInt(20) != 1) {
            throw new IOException(pcap + ": not an Ethernet capture");
        }
        in.position(24);
        Map<String, Flow> flows = new LinkedHashMap<>();
        while (in.remaining() >= 16) {
            long tNs = (in.getInt() & 0xffffffffL) * 1_000_000_000L + (in.getInt() & 0xffffffffL) * unit;
            int incl = in.getInt();
            in.getInt();
            if (incl > in.remaining()) {
                break; // cut off at the end (a link killed mid-write)
            }
            byte[] f = new byte[incl];
            in.get(f);
            boolean inside = tNs >= from && tNs < to;
            if (inside) {
                frames++;
                frameBytes += incl;
                firstNs = Math.min(firstNs, tNs);
                lastNs = Math.max(lastNs, tNs);
            }
            frame(f, tNs, inside, flows);
        }
        List<Message> messages = new ArrayList<>();
        for (Flow fl : flows.values()) {
            artery(fl, messages);
        }
        List<Table> tables = new ArrayList<>();
        for (Message m : messages) {
            Table t = manifestTable(m);
            if (t != null) {
                tables.add(t);
            }
        }
        for (Message m : messages) {
            if (m.tNs() >= from && m.tNs() < to) {
                String c = category(m, tables);
                tally(c).add(1, m.payload().length, m.framing());
                long round = roundOf(c, m.payload());
                if (round >= 0) {
                    rounds.computeIfAbsent(round, k -> new TreeMap<>()).computeIfAbsent(c.substring("onebyte: ".length()), k -> new Tally())
                            .add(1, m.payload().length, m.framing());
                }
                series.computeIfAbsent(m.tNs() / 1_000_000_000L, k -> new long[3])[c.startsWith("onebyte: ") ? 1 : 2]
                        += m.payload().length + m.framing();
            }
        }
    }

    private void frame(byte[] f, long tNs, boolean inside, Map<String, Flow> flows) {
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.BIG_ENDIAN);
        if (f.length < ETH + 20 || b.getShort(12) != 0x0800 || (f[ETH] >> 4) != 4 || f[ETH + 9] != 6) {
            if (inside) {
                tally("tcp/ip: other frames (ARP, ...)").add(1, 0, f.length);
            }
            return;
        }
        int ihl = (f[ETH] & 0x0f) * 4;
        int ipLen = b.getShort(ETH + 2) & 0xffff;
        int tcp = ETH + ihl;
        int thl = ((f[tcp + 12] >> 4) & 0x0f) * 4;
        int flags = f[tcp + 13] & 0xff;
        int payload = ipLen - ihl - thl;
        int headers = f.length - payload;
        String src = ip(f, ETH + 12) + ":" + (b.getShort(tcp) & 0xffff);
        String dst = ip(f, ETH + 16) + ":" + (b.getShort(tcp + 2) & 0xffff);
        long seq = b.getInt(tcp + 4) & 0xffffffffL;
        if (inside) {
            series.computeIfAbsent(tNs / 1_000_000_000L, k -> new long[3])[0] += headers;
            if (payload > 0) {
                tally("tcp/ip: headers of data segments").add(1, 0, headers);
            } else if ((flags & 0x07) != 0) {
                tally("tcp/ip: SYN, FIN, RST").add(1, 0, headers);
            } else {
                tally("tcp/ip: pure ACKs").add(1, 0, headers);
            }
        }
        Flow fl = flows.computeIfAbsent(src + ">" + dst, k -> new Flow(src, dst));
        if ((flags & 0x02) != 0) { // SYN: the stream starts after it
            fl.isn = (seq + 1) & 0xffffffffL;
            return;
        }
        if (payload <= 0) {
            return;
        }
        if (fl.isn < 0) {
            if (inside) {
                tally("tcp payload: streams begun before the capture").add(0, payload, 0);
            }
            return;
        }
        byte[] p = new byte[payload];
        System.arraycopy(f, tcp + thl, p, 0, payload);
        int fresh = fl.segment(tNs, seq, p);
        if (inside && fresh < payload) {
            tally("tcp payload: retransmitted").add(1, payload - fresh, 0);
        }
    }

    private static String ip(byte[] f, int at) {
        return (f[at] & 0xff) + "." + (f[at + 1] & 0xff) + "." + (f[at + 2] & 0xff) + "." + (f[at + 3] & 0xff);
    }

    /** Splits one reassembled stream into Artery messages (connection header counted as framing). */
    private void artery(Flow fl, List<Message> messages) {
        if (fl.length == 0) {
            return;
        }
        byte[] d = fl.data;
        String srcIp = fl.src.substring(0, fl.src.indexOf(':'));
        String dstIp = fl.dst.substring(0, fl.dst.indexOf(':'));
        if (fl.length < 5 || d[0] != 'A' || d[1] != 'K' || d[2] != 'K' || d[3] != 'A') {
            messages.add(new Message(fl.timeOf(fl.length), srcIp, dstIp, -1, "not Artery", -1, -1, 0, java.util.Arrays.copyOf(d, fl.length)));
            return;
        }
        messages.add(new Message(fl.timeOf(5), srcIp, dstIp, -2, "connection header", -1, -1, 5, new byte[0]));
        ByteBuffer b = ByteBuffer.wrap(d, 0, fl.length).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 5;
        while (pos + 4 <= fl.length) {
            int len = b.getInt(pos);
            if (len < 28 || pos + 4 + len > fl.length) {
                break; // the stream ends inside this frame (capture stopped)
            }
            int env = pos + 4;
            int flagsByte = d[env + 1];
            int manifestTableVersion = d[env + 3];
            int serializer = b.getInt(env + 12);
            int end = 28; // end of header + metadata + literals, relative to env
            if ((flagsByte & 1) != 0) {
                end = Math.max(end, 28 + 4 + b.getInt(env + 28));
            }
            String manifestLiteral = null;
            int manifestTag = -1;
            for (int tagAt : new int[] {16, 20, 24}) {
                int tag = b.getInt(env + tagAt);
                if ((tag & 0xFF000000) != 0) {
                    if (tagAt == 24) {
                        manifestTag = tag & 0x0000FFFF;
                    }
                    continue;
                }
                int litLen = b.getShort(env + tag) & 0xffff;
                end = Math.max(end, tag + 2 + litLen);
                if (tagAt == 24) {
                    manifestLiteral = new String(d, env + tag + 2, litLen, StandardCharsets.US_ASCII);
                }
            }
            byte[] payload = java.util.Arrays.copyOfRange(d, env + end, env + len);
            messages.add(new Message(fl.timeOf(env + len), srcIp, dstIp, serializer, manifestLiteral, manifestTag,
                    manifestTableVersion, 4 + end, payload));
            pos = env + len;
        }
    }

    /** A class-manifest advertisement (serializer 17, manifest "h") as a table, or null. */
    private static Table manifestTable(Message m) {
        if (m.serializer() != 17 || !"h".equals(m.manifestLiteral()) && m.manifestLiteral() != null) {
            return null;
        }
        // CompressionTableAdvertisement { from = 1; originUid = 2; tableVersion = 3; keys = 4 (repeated string); values = 5 (repeated uint32) }
        ByteBuffer b = ByteBuffer.wrap(m.payload());
        List<String> keys = new ArrayList<>();
        List<Integer> values = new ArrayList<>();
        int version = -1;
        try {
            while (b.hasRemaining()) {
                long key = varint(b);
                int field = (int) (key >>> 3);
                int wire = (int) (key & 7);
                if (wire == 0) {
                    long v = varint(b);
                    if (field == 3) {
                        version = (int) v;
                    } else if (field == 5) {
                        values.add((int) v);
                    }
                } else if (wire == 2) {
                    int n = (int) varint(b);
                    byte[] s = new byte[n];
                    b.get(s);
                    if (field == 4) {
                        keys.add(new String(s, StandardCharsets.UTF_8));
                    } else if (field == 5) {
                        ByteBuffer packed = ByteBuffer.wrap(s);
                        while (packed.hasRemaining()) {
                            values.add((int) varint(packed));
                        }
                    }
                } else {
                    return null;
                }
            }
        } catch (RuntimeException e) {
            return null;
        }
        if (version < 0 || keys.size() != values.size() || m.manifestLiteral() == null && keys.stream().anyMatch(k -> k.contains("://"))) {
            return null; // not an advertisement, or an actor-ref one whose manifest was compressed
        }
        Map<Integer, String> entries = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            entries.put(values.get(i), keys.get(i));
        }
        return new Table(m.tNs(), m.src(), m.dst(), version, entries);
    }

    /** The round a RoundOpen, Contribution or Commit (field 2) or a MetricsReport (field 3) belongs to; -1 for other messages. */
    static long roundOf(String category, byte[] payload) {
        int field = switch (category) {
            case "onebyte: RoundOpen", "onebyte: Contribution", "onebyte: Commit" -> 2;
            case "onebyte: MetricsReport" -> 3;
            default -> -1;
        };
        if (field < 0) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        try {
            while (b.hasRemaining()) {
                long key = varint(b);
                int wire = (int) (key & 7);
                if (wire == 0) {
                    long v = varint(b);
                    if (key >>> 3 == field) {
                        return v;
                    }
                } else if (wire == 1) {
                    b.position(b.position() + 8);
                } else if (wire == 2) {
                    int n = (int) varint(b);
                    b.position(b.position() + n);
                } else if (wire == 5) {
                    b.position(b.position() + 4);
                } else {
                    return -1;
                }
            }
        } catch (RuntimeException e) {
            return -1;
        }
        return 0; // proto3 leaves a zero round out
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    /** The manifest of {@code m}: its literal, or its tag looked up in the table its receiver advertised to its sender. */
    private static String manifest(Message m, List<Table> tables) {
        if (m.manifestLiteral() != null) {
            return m.manifestLiteral();
        }
        Table best = null;
        for (Table t : tables) {
            if (t.advertiser().equals(m.dst()) && t.origin().equals(m.src()) && (byte) t.version() == (byte) m.manifestTableVersion()
                    && t.tNs() <= m.tNs() + 1_000_000_000L && (best == null || t.tNs() > best.tNs())) {
                best = t;
            }
        }
        return best == null ? null : best.entries().get(m.manifestTag());
    }

    private static String category(Message m, List<Table> tables) {
        if (m.serializer() == -2) {
            return "artery: connection headers";
        }
        if (m.serializer() == -1) {
            return "tcp payload: not Artery";
        }
        String manifest = manifest(m, tables);
        String shown = manifest == null ? "#" + m.manifestTag() : manifest;
        return switch (m.serializer()) {
            case ONEBYTE_SERIALIZER -> "onebyte: " + (manifest == null ? "unresolved manifest " + shown : WIRE_TYPES.getOrDefault(manifest, manifest));
            case 5 -> "cluster: " + CLUSTER.getOrDefault(shown, shown);
            case 6 -> "cluster via actor selection: " + selected(m.payload());
            case 17 -> "artery control: " + CONTROL.getOrDefault(shown, shown);
            default -> "serializer " + m.serializer() + ": " + shown;
        };
    }

    /**
     * What an ActorSelection message (serializer 6, akka.remote.serialization.MessageContainerSerializer)
     * carries: SelectionEnvelope { enclosedMessage = 1; serializerId = 2; pattern = 3; messageManifest = 4 }.
     * The cluster sends its heartbeats and gossip status this way.
     */
    static String selected(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        int serializer = -1;
        String manifest = "";
        try {
            while (b.hasRemaining()) {
                long key = varint(b);
                int wire = (int) (key & 7);
                if (wire == 0) {
                    long v = varint(b);
                    if (key >>> 3 == 2) {
                        serializer = (int) v;
                    }
                } else if (wire == 2) {
                    int n = (int) varint(b);
                    byte[] x = new byte[n];
                    b.get(x);
                    if (key >>> 3 == 4) {
                        manifest = new String(x, StandardCharsets.UTF_8);
                    }
                } else {
                    break;
                }
            }
        } catch (RuntimeException e) {
            return "unparsed";
        }
        return switch (serializer) {
            case 5 -> CLUSTER.getOrDefault(manifest, manifest);
            case 12 -> "receptionist ddata " + DDATA.getOrDefault(manifest, manifest);
            default -> "serializer " + serializer + " " + manifest;
        };
    }

    private void printTsv(List<Path> captures) {
        System.out.println("# captures " + captures.stream().map(p -> p.getFileName().toString()).toList());
        System.out.println("frames\t" + frames + "\t" + frameBytes);
        for (var e : tallies.entrySet()) {
            Tally t = e.getValue();
            System.out.println("category\t" + e.getKey() + "\t" + t.count + "\t" + t.payload + "\t" + t.framing);
        }
        rounds.forEach((r, types) -> types.forEach((type, t) ->
                System.out.println("round\t" + r + "\t" + type + "\t" + t.count + "\t" + t.payload + "\t" + t.framing)));
    }

    private void printTable(List<Path> captures) {
        double seconds = (lastNs - firstNs) / 1e9;
        System.out.printf("captures %s: %d frames, %d bytes over %.1f s%n", captures.stream().map(p -> p.getFileName().toString()).toList(),
                frames, frameBytes, seconds);
        System.out.printf("%-58s %9s %11s %11s %11s %8s%n", "category", "count", "payload B", "framing B", "total B", "share");
        long sum = 0;
        List<Map.Entry<String, Tally>> rows = new ArrayList<>(tallies.entrySet());
        rows.sort(Map.Entry.comparingByKey());
        for (var e : rows) {
            Tally t = e.getValue();
            long total = t.payload + t.framing;
            sum += total;
            System.out.printf("%-58s %9d %11d %11d %11d %7.2f%%%n", e.getKey(), t.count, t.payload, t.framing, total, 100.0 * total / frameBytes);
        }
        System.out.printf("%-58s %9s %11s %11s %11d %7.2f%%%n", "sum", "", "", "",
                sum, 100.0 * sum / frameBytes);
    }
}
