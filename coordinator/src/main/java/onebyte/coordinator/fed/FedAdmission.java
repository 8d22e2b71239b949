package onebyte.coordinator.fed;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.ActorContext;
import com.google.protobuf.GeneratedMessage;
import java.util.ArrayDeque;
import java.util.List;
import onebyte.coordinator.clock.NodeLinks;
import onebyte.coordinator.cluster.AdmittedNode.State;
import onebyte.coordinator.cluster.MemberRoster;
import onebyte.coordinator.cluster.RestorePoint;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.cluster.TrafficLedger;
import onebyte.node.wire.Wire;
import onebyte.proto.FedAdmit;
import onebyte.proto.FedConfig;
import onebyte.proto.FedJoin;
import onebyte.proto.FedReady;
import onebyte.proto.StateMember;
import org.slf4j.Logger;

/**
 * How a node becomes a member of a federated run (SPEC §4): a FedJoin is answered with a FedAdmit
 * (a new node id, never reused; its shard: the one it names, or its node id's when it names
 * shard 0, as initial nodes do, so ids and shards agree whatever order they arrive in; the run's
 * {@link FedConfig}); the node builds its workload and shard and reports
 * FedReady, and is ACTIVE from then (a member of the next round). A retried FedJoin gets the same
 * FedAdmit again, counted apart from the rows ("retry:up:FedJoin", "retry:down:FedAdmit"). While
 * a resumed run is restored, each join must be the next saved member (node-id order, its shard
 * and class) and is admitted under its node id.
 */
final class FedAdmission {
    /** What admission asks of the coordinator it admits nodes for. */
    interface Run {
        boolean started();

        /** The round in progress (−1 before round 0). */
        long current();

        /** The member {@code g} claims to come from, heard from now; or null (rejected and counted). */
        FedMember known(int nodeId, GeneratedMessage g);

        void reject(String kind, String detail, GeneratedMessage g);

        /** {@code m} is ready (ACTIVE): {@code restored} when every saved member of a resumed run now is. */
        void ready(FedMember m, boolean restored);
    }

    private final ActorContext<Object> ctx;
    private final FedRunSettings s;
    private final MemberRoster<FedMember> roster;
    private final TrafficLedger ledger;
    private final Logger log;
    private final RestorePoint restore; // null unless the run is resumed
    private final ArrayDeque<StateMember> toRestore = new ArrayDeque<>();
    private final RunListener listener;
    private final List<RunResult.JoinRecord> joins;
    private final Run run;
    private FedConfig config;

    FedAdmission(ActorContext<Object> ctx, FedRunSettings s, MemberRoster<FedMember> roster, TrafficLedger ledger,
                 RestorePoint restore, RunListener listener, List<RunResult.JoinRecord> joins, Run run) {
        this.ctx = ctx;
        this.s = s;
        this.roster = roster;
        this.ledger = ledger;
        this.log = ctx.getLog();
        this.restore = restore;
        this.listener = listener;
        this.joins = joins;
        this.run = run;
        if (restore != null) {
            toRestore.addAll(restore.state().getMembersList());
        }
    }

    /** x^0 (or the restored x^t) is there: FedAdmits carry {@code c}. */
    void ready(FedConfig c) {
        config = c;
    }

    /** Whether every saved member of a resumed run was admitted again. */
    boolean allRestoredAdmitted() {
        return toRestore.isEmpty();
    }

    void onJoin(FedJoin j) {
        FedMember existing = roster.byRef(j.getNodeRef());
        if (existing != null) {
            ledger.answerApart("retry", existing.ref, j, admit(existing)); // a retried join: answer again, outside the rows
            return;
        }
        NodeLinks.Links links = s.links().of(j.getNodeClass());
        if (links == null) {
            run.reject("unknown-class:FedJoin", "node class '" + j.getNodeClass() + "' is not one of " + s.links().classes().keySet(), j);
            return;
        }
        ActorRef<Object> ref = ActorRefResolver.get(ctx.getSystem()).resolveActorRef(j.getNodeRef());
        int id;
        if (restore != null && !run.started()) {
            StateMember next = toRestore.poll();
            if (next == null || next.getShard() != j.getShard() || !next.getNodeClass().equals(s.links().resolve(j.getNodeClass()))) {
                run.reject("unexpected:FedJoin", "a join while the run is restored" + (next == null ? ""
                        : ": expected node " + next.getNodeId() + " on shard " + next.getShard()), j);
                return;
            }
            id = next.getNodeId();
        } else {
            id = roster.nextId();
        }
        FedMember m = new FedMember(id, j.getShard() == 0 ? id : j.getShard(), ref, s.links().resolve(j.getNodeClass()), links);
        m.admitNanos = System.nanoTime();
        roster.add(j.getNodeRef(), m);
        ledger.received(m, j);
        FedAdmit a = admit(m);
        ledger.send(m, a);
        m.joinBytes = Wire.wireBytes(j) + Wire.wireBytes(a);
        log.info("fed coordinator: admitted {} as node {} with shard {}, class {}", j.getLabel(), m.id, m.shard, m.nodeClass);
    }

    private FedAdmit admit(FedMember m) {
        return FedAdmit.newBuilder().setVersion(Wire.VERSION).setNodeId(m.id).setShard(m.shard).setConfig(config)
                .setCoordinatorRef(ctx.getSelf().path().toStringWithAddress(ctx.getSystem().address()))
                .setCoordinatorUid(ctx.getSelf().path().uid()).build();
    }

    void onReady(FedReady r) {
        FedMember m = run.known(r.getNodeId(), r);
        if (m == null) {
            return;
        }
        ledger.received(m, r);
        if (m.state != State.BUILDING) {
            return;
        }
        boolean started = run.started();
        m.state = State.ACTIVE;
        m.joinUncounted = started; // churn; the initial members were ready before round 0 opened
        m.joinBytes += Wire.wireBytes(r);
        long round = restore != null && !started ? restore.round() : Math.max(0, run.current());
        RunResult.JoinRecord rec = new RunResult.JoinRecord(m.id, "fed-shard-" + m.shard, round, m.joinBytes,
                (System.nanoTime() - m.admitNanos) / 1e9, true);
        joins.add(rec);
        listener.nodeSynced(rec);
        run.ready(m, restore != null && !started && toRestore.isEmpty()
                && roster.all().stream().allMatch(n -> n.state == State.ACTIVE));
    }
}
