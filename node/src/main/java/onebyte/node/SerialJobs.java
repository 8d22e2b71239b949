package onebyte.node;

import akka.actor.typed.javadsl.ActorContext;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One heavy job at a time for an actor: jobs run on {@code onebyte.compute-dispatcher}; while one
 * runs, the actor's other messages are queued and handled in arrival order once it is done (its
 * continuation runs first, on the actor's thread). So the actor's state (θ, a client's ĝ_i) is
 * never read and written concurrently. Used by the SPSA node and the federated node.
 */
public final class SerialJobs {
    private final ComputeJobs jobs;
    private final Deque<Object> queue = new ArrayDeque<>();

    public SerialJobs(ActorContext<Object> ctx, String owner) {
        this.jobs = new ComputeJobs(ctx, owner, null);
    }

    /** Runs {@code work} on the compute dispatcher, then {@code then} with its result on the actor's thread. */
    public void run(Supplier<Object> work, Consumer<Object> then) {
        jobs.run(work, then);
    }

    /**
     * The actor's receive: a finished job's continuation runs and queued messages are handled
     * until the next job starts; other messages go to {@code handle} now or are queued while a job
     * runs. A failed job stops the actor (its replica or client state cannot be trusted).
     */
    public void onMessage(Object m, Consumer<Object> handle) {
        if (jobs.finished(m)) {
            while (!jobs.busy() && !queue.isEmpty()) {
                handle.accept(queue.poll());
            }
        } else if (jobs.busy()) {
            queue.add(m);
        } else {
            handle.accept(m);
        }
    }
}
