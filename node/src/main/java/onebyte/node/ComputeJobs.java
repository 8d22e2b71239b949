package onebyte.node;

import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An actor's heavy work (building a workload, applying commits, local rounds, averaging models,
 * evaluating) as jobs on {@code onebyte.compute-dispatcher}; the continuation runs on the actor's
 * thread when the job's {@link #finished} message arrives. Other messages are not held back:
 * a coordinator handles them meanwhile and asks {@link #busy} where it must wait; a node queues
 * them ({@link SerialJobs}). A failed job stops the actor (and fails the run, when given one).
 */
public final class ComputeJobs {
    private record Done(Consumer<Object> then, Object result, Throwable error) {}

    private final ActorContext<Object> ctx;
    private final Executor compute;
    private final String owner;
    private final CompletableFuture<?> run;
    private boolean busy;

    /** {@code owner} names the actor in the log; {@code run} (may be null) is completed exceptionally when a job fails. */
    public ComputeJobs(ActorContext<Object> ctx, String owner, CompletableFuture<?> run) {
        this.ctx = ctx;
        this.owner = owner;
        this.run = run;
        this.compute = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("onebyte.compute-dispatcher"));
    }

    /** Runs {@code work} on the compute dispatcher, then {@code then} with its result on the actor's thread. */
    public void run(Supplier<Object> work, Consumer<Object> then) {
        busy = true;
        ctx.pipeToSelf(CompletableFuture.supplyAsync(work, compute), (r, err) -> new Done(then, r, err));
    }

    /** Whether a job was started and its continuation has not run yet. */
    public boolean busy() {
        return busy;
    }

    /**
     * When {@code m} is a finished job: runs its continuation and returns true (a failed job
     * fails the run and stops the actor); otherwise false.
     */
    public boolean finished(Object m) {
        if (!(m instanceof Done d)) {
            return false;
        }
        busy = false;
        if (d.error() != null) {
            ctx.getLog().error("{}: job failed", owner, d.error());
            if (run != null) {
                run.completeExceptionally(d.error());
            }
            throw new IllegalStateException(owner + " job failed", d.error());
        }
        d.then().accept(d.result());
        return true;
    }
}
