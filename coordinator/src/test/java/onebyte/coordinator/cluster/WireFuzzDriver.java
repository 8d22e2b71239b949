package onebyte.coordinator.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import com.google.protobuf.GeneratedMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import onebyte.node.wire.Rejections;
import onebyte.node.wire.WireSender;
import onebyte.node.wire.WireStats;

/**
 * Sends fuzzed messages into a live cluster one at a time and waits, for each, until its receiver
 * counted a rejection (up to {@link #PATIENCE_MS}); tallies what was tried and how each was
 * rejected. Senders: the fuzzer (an ActorSystem admitted as a node that never syncs, sending from
 * its admitted actor), and an outsider (never admitted) with its own actor or no sender at all.
 * Receivers: the coordinator, or a real node.
 */
final class WireFuzzDriver {
    static final long PATIENCE_MS = 5000;

    enum From { FUZZER, OUTSIDER, NO_SENDER }

    /** What was tried and how it was rejected, by message type (as sent) and by rejection kind. */
    static final class Tally {
        final Map<String, Long> tried = new TreeMap<>();
        final Map<String, Map<String, Long>> rejectedAs = new TreeMap<>();
        final Map<String, Long> byMutation = new TreeMap<>();
        final Map<String, Long> bySender = new TreeMap<>();
        final List<String> notRejected = new ArrayList<>();
        long messages;

        void add(Tally o) {
            o.tried.forEach((k, v) -> tried.merge(k, v, Long::sum));
            o.rejectedAs.forEach((t, m) -> m.forEach((k, v) -> rejectedAs.computeIfAbsent(t, x -> new TreeMap<>()).merge(k, v, Long::sum)));
            o.byMutation.forEach((k, v) -> byMutation.merge(k, v, Long::sum));
            o.bySender.forEach((k, v) -> bySender.merge(k, v, Long::sum));
            notRejected.addAll(o.notRejected);
            messages += o.messages;
        }

        long rejected() {
            return rejectedAs.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
        }
    }

    private final WireFuzzer fuzzer;
    private final ActorSystem<Object> fuzzerSystem;
    private final ActorSystem<Object> outsider;
    private final String fuzzerRef;
    private final Map<String, ActorRef<Object>> refs = new HashMap<>();
    final Tally tally = new Tally();

    WireFuzzDriver(long seed, ActorSystem<Object> fuzzerSystem, ActorSystem<Object> outsider) {
        this.fuzzer = new WireFuzzer(seed);
        this.fuzzerSystem = fuzzerSystem;
        this.outsider = outsider;
        this.fuzzerRef = ActorRefResolver.get(fuzzerSystem).toSerializationFormat(fuzzerSystem);
    }

    /**
     * Sends {@code shots} fuzzed messages for the state {@code s}; {@code coordinator} receives in
     * the coordinator's system, {@code node} gives a real node's system and path by node id.
     */
    void batch(int shots, WireTemplates.State s, ActorSystem<?> coordinatorSystem, String coordinatorPath,
               IntFunction<ActorSystem<Object>> node) {
        java.util.Random rnd = fuzzer.random();
        burst(s, coordinatorSystem, coordinatorPath, rnd);
        for (int i = 0; i < shots; i++) {
            Class<? extends GeneratedMessage> type = WireTemplates.TYPES.get(rnd.nextInt(WireTemplates.TYPES.size()));
            boolean toCoordinator = WireTemplates.fromNodes(type) == (rnd.nextInt(4) != 0);
            From from = From.values()[rnd.nextInt(4) < 2 ? 0 : 1 + rnd.nextInt(2)];
            WireFuzzer.Mutation mutation = fuzzer.mutation();
            List<Object> msgs = fuzzer.spoil(WireTemplates.of(type, s, rnd), mutation, s.round());
            if (from == From.FUZZER && toCoordinator && msgs.stream().map(WireFuzzer::decoded)
                    .anyMatch(g -> g != null && WireTemplates.entitled(g, s.fuzzerId(), fuzzerRef))) {
                continue; // a request the fuzzer may make for itself: not a bad message
            }
            ActorSystem<?> target;
            String path;
            if (toCoordinator) {
                target = coordinatorSystem;
                path = coordinatorPath;
            } else {
                int id = s.realIds().get(rnd.nextInt(s.realIds().size()));
                target = node.apply(id);
                path = target.address() + "/user";
            }
            for (Object m : msgs) {
                send(type.getSimpleName(), mutation, from, target, path, m);
            }
        }
    }

    /** The types of the fuzzer's own messages for a round, sent at once while the round opens. */
    private static final List<Class<? extends GeneratedMessage>> OWN_ROUND = List.of(onebyte.proto.Contribution.class,
            onebyte.proto.MetricsReport.class, onebyte.proto.SyncDone.class, onebyte.proto.FedModelChunk.class, onebyte.proto.FedDone.class);

    /**
     * The fuzzer's own messages for the round being opened (it is in none), as they are, sent at
     * once without waiting (so some arrive while the round is open), then awaited together.
     */
    private void burst(WireTemplates.State s, ActorSystem<?> coordinatorSystem, String coordinatorPath, java.util.Random rnd) {
        Rejections r = WireStats.get(coordinatorSystem).rejections();
        Map<String, Long> before = r.snapshot();
        long total = r.total();
        ActorRef<Object> to = refs.computeIfAbsent(From.FUZZER + " " + coordinatorPath,
                k -> ActorRefResolver.get(fuzzerSystem).resolveActorRef(coordinatorPath));
        List<GeneratedMessage> sent = new ArrayList<>();
        for (Class<? extends GeneratedMessage> type : OWN_ROUND) {
            GeneratedMessage m = WireTemplates.of(type, s, rnd);
            WireSender.tell(to, m, fuzzerSystem);
            sent.add(m);
            tally.messages++;
            tally.tried.merge(type.getSimpleName(), 1L, Long::sum);
            tally.byMutation.merge(WireFuzzer.Mutation.AS_IS.name(), 1L, Long::sum);
            tally.bySender.merge(From.FUZZER.name(), 1L, Long::sum);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
        while (r.total() < total + sent.size() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000);
        }
        Map<String, Long> after = r.snapshot();
        Map<String, Long> rejectedOfType = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0 && k.contains(":")) {
                String type = k.substring(k.indexOf(':') + 1);
                tally.rejectedAs.computeIfAbsent(type, x -> new TreeMap<>()).merge(k.substring(0, k.indexOf(':')), d, Long::sum);
                rejectedOfType.merge(type, d, Long::sum);
            }
        });
        for (GeneratedMessage m : sent) {
            String type = m.getClass().getSimpleName();
            if (rejectedOfType.merge(type, -1L, Long::sum) < 0) {
                tally.notRejected.add(type + " AS_IS from FUZZER to " + coordinatorPath + " in round " + s.round() + ": " + describe(m));
            }
        }
    }

    private void send(String type, WireFuzzer.Mutation mutation, From from, ActorSystem<?> target, String path, Object m) {
        Rejections r = WireStats.get(target).rejections();
        Map<String, Long> before = r.snapshot();
        long total = r.total();
        ActorSystem<Object> sys = from == From.FUZZER ? fuzzerSystem : outsider;
        ActorRef<Object> to = refs.computeIfAbsent(from + " " + path, k -> ActorRefResolver.get(sys).resolveActorRef(path));
        if (from == From.NO_SENDER) {
            to.tell(m);
        } else {
            WireSender.tell(to, m, sys);
        }
        tally.messages++;
        tally.tried.merge(type, 1L, Long::sum);
        tally.byMutation.merge(mutation.name(), 1L, Long::sum);
        tally.bySender.merge(from.name(), 1L, Long::sum);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
        while (r.total() == total && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000);
        }
        if (r.total() == total) {
            tally.notRejected.add(type + " " + mutation + " from " + from + " to " + path + ": " + describe(m));
            return;
        }
        Map<String, Long> after = r.snapshot();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0) {
                String kind = k.contains(":") ? k.substring(0, k.indexOf(':')) : k;
                tally.rejectedAs.computeIfAbsent(type, x -> new TreeMap<>()).merge(kind, d, Long::sum);
            }
        });
    }

    private static String describe(Object m) {
        String s = m instanceof onebyte.node.wire.RawFrame f ? "frame " + f.manifest() + " of " + f.bytes().length + " bytes"
                : m.toString().replace('\n', ' ');
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** The sum of every rejection counter of these systems. */
    static long rejections(List<ActorSystem<?>> systems) {
        return systems.stream().mapToLong(sys -> WireStats.get(sys).rejections().total()).sum();
    }
}
