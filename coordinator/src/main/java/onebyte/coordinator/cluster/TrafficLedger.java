package onebyte.coordinator.cluster;

import akka.actor.typed.ActorRef;
import com.google.protobuf.GeneratedMessage;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import onebyte.node.wire.Wire;
import onebyte.node.wire.WireSender;

/**
 * A coordinator's bytes by message type ("up:&lt;type&gt;", "down:&lt;type&gt;" and the keys
 * counted apart from the rows, e.g. "retry:…", "crashed:…") and by node ("&lt;id&gt;:up",
 * "&lt;id&gt;:down"), every message at its {@link Wire#wireBytes}; what it sends to or receives
 * from a node also goes to that node's bytes of the current round.
 */
public final class TrafficLedger {
    private final Map<String, Long> byType = new TreeMap<>();
    private final Map<String, Long> byNode = new TreeMap<>();
    private final ActorRef<?> sender;

    /** {@code sender}: the coordinator, sent as the sender of every message (nodes check it, {@link WireSender}). */
    public TrafficLedger(ActorRef<?> sender) {
        this.sender = sender;
    }

    /** Adds {@code bytes} under {@code key} of the bytes by type. */
    public void add(String key, long bytes) {
        byType.merge(key, bytes, Long::sum);
    }

    /** A message received: under "up:&lt;type&gt;", and to {@code node}'s bytes when it is not null. */
    public void received(AdmittedNode node, GeneratedMessage msg) {
        long b = Wire.wireBytes(msg);
        add("up:" + msg.getClass().getSimpleName(), b);
        if (node != null) {
            node.up += b;
            byNode.merge(node.id + ":up", b, Long::sum);
        }
    }

    /** Sends {@code msg} to {@code node} and counts it. */
    public void send(AdmittedNode node, GeneratedMessage msg) {
        tell(node.ref, msg);
        long b = Wire.wireBytes(msg);
        node.down += b;
        add("down:" + msg.getClass().getSimpleName(), b);
        byNode.merge(node.id + ":down", b, Long::sum);
    }

    /** Sends {@code msg} to {@code to} from the coordinator, without counting it. */
    public void tell(ActorRef<?> to, GeneratedMessage msg) {
        WireSender.tell(to, msg, sender);
    }

    /**
     * Answers {@code request} with {@code answer} sent to {@code to}, both counted apart from the
     * rows under "&lt;why&gt;:up:&lt;request type&gt;" and "&lt;why&gt;:down:&lt;answer type&gt;" (a retried join and
     * its repeated admission: "retry"; a join refused: "refused").
     */
    public void answerApart(String why, ActorRef<?> to, GeneratedMessage request, GeneratedMessage answer) {
        tell(to, answer);
        add(why + ":up:" + request.getClass().getSimpleName(), Wire.wireBytes(request));
        add(why + ":down:" + answer.getClass().getSimpleName(), Wire.wireBytes(answer));
    }

    /** The round's bytes of a node counted as crashed that did not contribute: apart from the rows. */
    public void crashed(AdmittedNode node) {
        add("crashed:up", node.up);
        add("crashed:down", node.down);
    }

    /** Bytes by type, sorted by key (a live view). */
    public Map<String, Long> byType() {
        return Collections.unmodifiableMap(byType);
    }

    /** Bytes by node, sorted by key (a live view). */
    public Map<String, Long> byNode() {
        return Collections.unmodifiableMap(byNode);
    }
}
