package onebyte.node.wire;

import com.google.protobuf.GeneratedMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import java.util.HashMap;
import java.util.Map;
import onebyte.proto.Admit;
import onebyte.proto.Commit;
import onebyte.proto.CommitLogChunk;
import onebyte.proto.CommitLogRequest;
import onebyte.proto.Contribution;
import onebyte.proto.FedAdmit;
import onebyte.proto.FedDone;
import onebyte.proto.FedJoin;
import onebyte.proto.FedLeave;
import onebyte.proto.FedModelChunk;
import onebyte.proto.FedReady;
import onebyte.proto.FedRoundOpen;
import onebyte.proto.FedRunComplete;
import onebyte.proto.JoinRefused;
import onebyte.proto.JoinRequest;
import onebyte.proto.Leave;
import onebyte.proto.MetricsReport;
import onebyte.proto.RoundOpen;
import onebyte.proto.RunComplete;
import onebyte.proto.SnapshotChunk;
import onebyte.proto.SnapshotRequest;
import onebyte.proto.SyncDone;

/** The wire message types (wire.proto and federated.proto) and their one- or two-letter manifests. */
public final class WireTypes {
    private record Type(String manifest, Class<? extends GeneratedMessage> cls, Parser<? extends GeneratedMessage> parser) {}

    private static final Map<String, Type> BY_MANIFEST = new HashMap<>();
    private static final Map<Class<?>, Type> BY_CLASS = new HashMap<>();

    static {
        add("J", JoinRequest.class, JoinRequest.parser());
        add("A", Admit.class, Admit.parser());
        add("JR", JoinRefused.class, JoinRefused.parser());
        add("SD", SyncDone.class, SyncDone.parser());
        add("O", RoundOpen.class, RoundOpen.parser());
        add("C", Contribution.class, Contribution.parser());
        add("K", Commit.class, Commit.parser());
        add("SR", SnapshotRequest.class, SnapshotRequest.parser());
        add("SC", SnapshotChunk.class, SnapshotChunk.parser());
        add("LR", CommitLogRequest.class, CommitLogRequest.parser());
        add("LC", CommitLogChunk.class, CommitLogChunk.parser());
        add("L", Leave.class, Leave.parser());
        add("M", MetricsReport.class, MetricsReport.parser());
        add("E", RunComplete.class, RunComplete.parser());
        // federated protocol (federated.proto)
        add("FJ", FedJoin.class, FedJoin.parser());
        add("FA", FedAdmit.class, FedAdmit.parser());
        add("FR", FedReady.class, FedReady.parser());
        add("FO", FedRoundOpen.class, FedRoundOpen.parser());
        add("FC", FedModelChunk.class, FedModelChunk.parser());
        add("FD", FedDone.class, FedDone.parser());
        add("FL", FedLeave.class, FedLeave.parser());
        add("FE", FedRunComplete.class, FedRunComplete.parser());
    }

    private WireTypes() {}

    private static void add(String manifest, Class<? extends GeneratedMessage> cls, Parser<? extends GeneratedMessage> parser) {
        Type t = new Type(manifest, cls, parser);
        BY_MANIFEST.put(manifest, t);
        BY_CLASS.put(cls, t);
    }

    public static String manifest(Class<?> cls) {
        Type t = BY_CLASS.get(cls);
        if (t == null) {
            throw new IllegalArgumentException("not a wire message: " + cls.getName());
        }
        return t.manifest;
    }

    /** Short type name for counters and logs (the class's simple name). */
    public static String name(Object message) {
        return message.getClass().getSimpleName();
    }

    public static boolean known(String manifest) {
        return BY_MANIFEST.containsKey(manifest);
    }

    public static String typeName(String manifest) {
        Type t = BY_MANIFEST.get(manifest);
        return t == null ? "unknown(" + manifest + ")" : t.cls.getSimpleName();
    }

    public static GeneratedMessage parse(String manifest, byte[] bytes) throws InvalidProtocolBufferException {
        Type t = BY_MANIFEST.get(manifest);
        if (t == null) {
            throw new InvalidProtocolBufferException("unknown manifest " + manifest);
        }
        return t.parser.parseFrom(bytes);
    }

    public static Iterable<Class<? extends GeneratedMessage>> classes() {
        return BY_CLASS.values().stream().<Class<? extends GeneratedMessage>>map(Type::cls).toList();
    }
}
