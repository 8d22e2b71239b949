package onebyte.node.wire;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts rejected messages by kind ("bad-version:Contribution", "unknown-round:Contribution",
 * "malformed:Commit", ...) and logs the first rejection of each kind once, at WARN. Thread-safe:
 * the serializer and the actors of one ActorSystem share one instance (see {@link WireStats}).
 */
public final class Rejections {
    private static final Logger LOG = LoggerFactory.getLogger(Rejections.class);
    private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final String owner;

    public Rejections(String owner) {
        this.owner = owner;
    }

    /** Counts one rejection; logs it when it is the first of its kind. */
    public void reject(String kind, String detail) {
        long n = counts.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        if (n == 1) {
            LOG.warn("{}: rejected {} ({}); further rejections of this kind are only counted", owner, kind, detail);
        }
    }

    /** True when a received message carries {@link Wire#VERSION}; otherwise counts "bad-version:&lt;type&gt;". */
    public boolean versionOk(int version, String type) {
        if (version != Wire.VERSION) {
            reject("bad-version:" + type, "version " + version + ", expected " + Wire.VERSION);
            return false;
        }
        return true;
    }

    public long count(String kind) {
        AtomicLong n = counts.get(kind);
        return n == null ? 0 : n.get();
    }

    public long total() {
        return counts.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Total of all kinds starting with this prefix (e.g. "malformed"). */
    public long countPrefix(String prefix) {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(e -> e.getValue().get()).sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
