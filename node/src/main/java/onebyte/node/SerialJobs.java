package onebyte.node;

import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One heavy job at a time for an actor: jobs run on {@code onebyte.compute-dispatcher}; while one
 * runs, the actor's other messages are queued and handled in arrival order once it is done (its
 * continuation runs first, on the actor's thread). So the actor's state (θ, a client's ĝ_i) is
 * never read and written concurrently. Used by the SPSA node and the federated node.
 */
public final class SerialJobs {
    private record Done(Consumer<Object> then, Object result, Throwable error) {}

    private final ActorContext<Object> ctx;
    private final Executor compute;
    private final String owner;
    private boolean busy;
    private final Deque<Object> queue = new ArrayDeque<>();

    public SerialJobs(ActorContext<Object> ctx, String owner) {
        this.ctx = ctx;
        this.owner = owner;
        this.compute = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("onebyte.compute-dispatcher"));
    }

    /** Runs {@code work} on the compute dispatcher, then {@code then} with its result on the actor's thread. */
    public void run(Supplier<Object> work, Consumer<Object> then) {
        busy = true;
        ctx.pipeToSelf(CompletableFuture.supplyAsync(work, compute), (r, err) -> new Done(then, r, err));
    }

    /**
     * The actor's receive: a finished job's continuation runs and queued messages are handled
     * until the next job starts; other messages go to {@code handle} now or are queued while a job
     * runs. A failed job stops the actor (its replica or client state cannot be trusted).
     */
    public void onMessage(Object m, Consumer<Object> handle) {
        if (m instanceof Done d) {
            busy = false;
            if (d.error() != null) {
                ctx.getLog().error("{}: job failed", owner, d.error());
                throw new IllegalStateException(owner + " job failed", d.error());
            }
            d.then().accept(d.result());
            while (!busy && !queue.isEmpty()) {
                handle.accept(queue.poll());
            }
        } else if (busy) {
            queue.add(m);
        } else {
            handle.accept(m);
        }
    }
}
